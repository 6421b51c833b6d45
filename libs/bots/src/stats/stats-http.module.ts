import { DynamicModule, Module } from '@nestjs/common';
import type { BotStrategyName } from '../bot.entity';
import { BotsModule } from '../bots.module';
import { BotReportService } from './bot-report.service';
import { GridBotReportController, HyperrsiBotReportController } from './bot-report.controller';
import { StatsController } from './stats.controller';
import { StatsModule } from './stats.module';

/**
 * Statistics (/api/stats/*, both apps) and the bot report of one strategy's app (`/api/<strategy>/bots/:id/report`).
 * Needs PlatformModule and UsersHttpModule's global AuthGuard.
 */
@Module({})
export class StatsHttpModule {
  static forStrategy(strategy: BotStrategyName): DynamicModule {
    return {
      module: StatsHttpModule,
      imports: [BotsModule, StatsModule],
      providers: [BotReportService],
      controllers: [StatsController, strategy === 'hyperrsi' ? HyperrsiBotReportController : GridBotReportController],
    };
  }
}
