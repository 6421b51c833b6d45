import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { AppConfig } from '@tb/config';
import { EventsModule } from '@tb/events';
import { REDIS, RedisKeys } from '@tb/redis';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { ActiveUsersCache } from './auth/active-users.cache';
import { ApiKeyOwnersCache } from './api-keys/api-key-owners.cache';
import { RefreshTokenEntity } from './auth/refresh-token.entity';
import { RefreshTokensRepository } from './auth/refresh-tokens.repository';
import { TbThrottlerGuard } from './throttling/tb-throttler.guard';
import { buildThrottlerOptions } from './throttling/throttler.options';
import { UsersController } from './users/users.controller';
import { UsersModule } from './users.module';

/**
 * Users, login/refresh/logout, personal API keys, and the global AuthGuard (every HTTP route of the app needs a
 * JWT or an API key unless @Public() or an infrastructure path). Also sets up the Redis-backed rate limiter used by
 * the login route and by @ThrottleOrders() (ThrottlerModule is global, so any module can put that decorator on a
 * route). Needs PlatformModule (config, database, Redis).
 */
@Module({
  imports: [
    UsersModule,
    EventsModule,
    TypeOrmModule.forFeature([RefreshTokenEntity, ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // A prepared KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a PEM public key
        // on every sign/verify, an exception per request that cost ~5% of the CPU of an authenticated GET.
        const key = createSecretKey(Buffer.from(config.security.jwtSecret, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        };
      },
    }),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS, RedisKeys],
      useFactory: (config: AppConfig, redis: Redis, keys: RedisKeys) => buildThrottlerOptions(config, redis, keys.key('throttle')),
    }),
  ],
  controllers: [AuthController, ApiKeysController, UsersController],
  providers: [
    RefreshTokensRepository,
    ApiKeysRepository,
    AuthService,
    ActiveUsersCache,
    ApiKeyOwnersCache,
    ApiKeysService,
    TbThrottlerGuard,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersModule, AuthService, ApiKeysService, TbThrottlerGuard],
})
export class UsersHttpModule {}
