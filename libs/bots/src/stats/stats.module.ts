import { Module } from '@nestjs/common';
import { BotsModule } from '../bots.module';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

/** Statistics without HTTP (the APIs' /api/stats and Telegram's /profit and /daily use StatsService). */
@Module({
  imports: [BotsModule],
  providers: [StatsRepository, StatsService],
  exports: [StatsService, StatsRepository],
})
export class StatsModule {}
