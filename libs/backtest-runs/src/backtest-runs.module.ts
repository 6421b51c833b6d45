import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketModule } from '@tb/market';
import { BACKTEST_RUN_ENTITIES } from './backtest-run.entity';
import { BacktestRunExecutor } from './backtest-run.executor';
import { BacktestRunsController } from './backtest-runs.controller';
import { BacktestRunsRepository } from './backtest-runs.repository';
import { BacktestRunsService } from './backtest-runs.service';

/**
 * Stored backtest runs without HTTP: the repository, the executor the worker runs jobs with, and the service.
 * Needs PlatformModule (config, database, jobs).
 */
@Module({
  imports: [TypeOrmModule.forFeature(BACKTEST_RUN_ENTITIES), MarketModule],
  providers: [BacktestRunsRepository, BacktestRunExecutor, BacktestRunsService],
  exports: [BacktestRunsRepository, BacktestRunExecutor, BacktestRunsService],
})
export class BacktestRunsModule {}

/** The /api/backtests routes, for the two API apps (needs UsersHttpModule's global AuthGuard for the caller's identity). */
@Module({
  imports: [BacktestRunsModule],
  controllers: [BacktestRunsController],
})
export class BacktestRunsHttpModule {}
