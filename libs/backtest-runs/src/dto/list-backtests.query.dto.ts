import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TIMEFRAMES, type Timeframe } from '@tb/strategies';
import { BACKTEST_RUN_STATUSES, type BacktestRunStatus } from '../backtest-run.entity';
import { BACKTEST_API_STRATEGIES, type BacktestApiStrategy } from '../backtest-run.request';

/** GET /api/backtests: filters (all optional, combined with AND) and offset pagination, newest first. */
export class ListBacktestsQueryDto {
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

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}
