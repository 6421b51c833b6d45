import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '@tb/common';
import { TIMEFRAMES, type Timeframe } from '@tb/strategies';
import { BACKTEST_RUN_STATUSES, type BacktestRunStatus } from '../backtest-run.entity';
import { BACKTEST_API_STRATEGIES, type BacktestApiStrategy } from '../backtest-run.request';

/** GET /api/backtests: filters (all optional, combined with AND) and offset pagination, newest first. */
export class ListBacktestsQueryDto extends PageQuery(20, 100) {
  @ApiPropertyOptional({ enum: BACKTEST_RUN_STATUSES })
  @IsOptional()
  @IsIn(BACKTEST_RUN_STATUSES)
  status?: BacktestRunStatus;

  @ApiPropertyOptional({ enum: BACKTEST_API_STRATEGIES })
  @IsOptional()
  @IsIn(BACKTEST_API_STRATEGIES)
  strategy?: BacktestApiStrategy;

  @ApiPropertyOptional({ example: 'binance' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  exchange?: string;

  @ApiPropertyOptional({ example: 'BTC/USDT' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  symbol?: string;

  @ApiPropertyOptional({ enum: TIMEFRAMES })
  @IsOptional()
  @IsIn(TIMEFRAMES)
  timeframe?: Timeframe;
}
