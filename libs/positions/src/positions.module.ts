import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '@tb/events';
import { PositionEntity } from './position.entity';
import { PositionsRepository } from './positions.repository';
import { PositionsService } from './positions.service';

@Module({
  imports: [TypeOrmModule.forFeature([PositionEntity]), EventsModule],
  providers: [PositionsRepository, PositionsService],
  exports: [PositionsService],
})
export class PositionsModule {}
