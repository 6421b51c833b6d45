import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from './crypto/password-hasher';
import { UserEntity } from './users/user.entity';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

/**
 * User accounts only (no HTTP, guard or rate limiter): what the CLI needs to create the first admin, and what
 * UsersHttpModule builds on. Needs the database (DatabaseModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [{ provide: PasswordHasher, useValue: new PasswordHasher() }, UsersRepository, UsersService],
  exports: [PasswordHasher, UsersRepository, UsersService],
})
export class UsersModule {}
