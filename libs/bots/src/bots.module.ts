import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@tb/accounts';
import { EventsModule } from '@tb/events';
import { MarketModule } from '@tb/market';
import { OrdersModule } from '@tb/orders';
import { BotDecisionEntity, BotEntity, BotEquityEntity, BotInputEntity } from './bot.entity';
import { BotEvaluator } from './bot-evaluator.service';
import { BotMetrics } from './bot.metrics';
import { BotsRepository } from './bots.repository';
import { BotsService } from './bots.service';
import { ReplayDriver } from './replay.driver';
import { BotFeedService } from './bot-feed.service';
import { BotCommandsService } from './commands/bot-commands.service';

/** The bot runtime without HTTP: lifecycle, evaluation, replay (the worker and the CLI load this; the APIs add their controllers). */
@Module({
  imports: [TypeOrmModule.forFeature([BotEntity, BotInputEntity, BotDecisionEntity, BotEquityEntity]), OrdersModule, AccountsModule, EventsModule, MarketModule],
  providers: [BotsRepository, BotsService, BotEvaluator, ReplayDriver, BotMetrics, BotFeedService, BotCommandsService],
  exports: [BotsService, BotEvaluator, ReplayDriver, BotsRepository, BotFeedService, BotMetrics, BotCommandsService],
})
export class BotsModule {}
