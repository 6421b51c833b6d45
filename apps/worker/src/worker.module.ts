import { DynamicModule, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { TbConfigModuleOptions } from '@tb/config';
import { PlatformModule } from '@tb/platform';
import { ContractWorker, assertEveryJobHandled, type JobName } from '@tb/jobs';
import { MaintenanceService } from './maintenance/maintenance.service';
import { MaintenanceProcessor } from './maintenance/maintenance.processor';
import { BacktestRunsModule } from '@tb/backtest-runs';
import { BacktestsProcessor } from './backtests/backtests.processor';
import { BacktestsSweeper } from './backtests/backtests.sweeper';
import { OrdersModule } from '@tb/orders';
import { EventsModule } from '@tb/events';
import { TradingScheduler } from './trading/trading.scheduler';
import { CcxtPreload } from './trading/ccxt-preload';
import { BotsModule, GridPortfoliosModule } from '@tb/bots';
import { BotsProcessor } from './bots/bots.processor';
import { BotsScheduler } from './bots/bots.scheduler';
import { BotOwnersConsumer } from './bots/bot-owners.consumer';
import { BotsFeedScheduler } from './bots/bots-feed.scheduler';
import { GridPortfoliosScheduler } from './bots/grid-portfolios.scheduler';
import { MarketFeedModule } from '@tb/market';
import { TelegramBotModule } from '@tb/notifications';

/** Fails boot when a job of the queue contract has no handler among this application's processors. */
@Injectable()
class JobContractCheck implements OnApplicationBootstrap {
  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    const workers = this.discovery.getProviders().flatMap((w) => (w.instance instanceof ContractWorker ? [w.instance as { handledJobs(): readonly JobName[] }] : []));
    assertEveryJobHandled(workers);
  }
}

/** The worker: BullMQ processors, schedulers, and its own health/metrics port. */
@Module({})
export class WorkerModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(options), ScheduleModule.forRoot(), DiscoveryModule, OrdersModule, EventsModule, BacktestRunsModule, BotsModule, MarketFeedModule, GridPortfoliosModule, TelegramBotModule],
      providers: [CcxtPreload, MaintenanceService, MaintenanceProcessor, JobContractCheck, TradingScheduler, BacktestsProcessor, BacktestsSweeper, BotsProcessor, BotsScheduler, BotsFeedScheduler, GridPortfoliosScheduler, BotOwnersConsumer],
    };
  }
}
