import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BacktestMetrics, EquityPoint, TradeRecord } from '@tb/backtest';
import { BACKTEST_RUN_STATUSES, type BacktestRunStatus } from '../backtest-run.entity';
import type { BacktestRunRecord } from '../backtest-runs.repository';
import { apiSettings } from '@tb/strategies';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class BacktestRunErrorDto {
  @ApiProperty({ example: 'NO_MARKET_DATA', description: 'Stable code of the failure' }) code!: string;
  @ApiProperty({ example: 'no 1h candles of binance BTC/USDT between …' }) message!: string;
}

export class BacktestTradeDto {
  @ApiProperty({ type: String, format: 'date-time' }) entryTime!: string;
  @ApiProperty({ type: String, format: 'date-time' }) exitTime!: string;
  @ApiProperty({ enum: ['long', 'short'] }) side!: 'long' | 'short';
  @ApiProperty({ description: 'Volume-weighted average entry price' }) entryPrice!: number;
  @ApiProperty({ description: 'Volume-weighted average exit price' }) exitPrice!: number;
  @ApiProperty({ description: 'Base amount' }) qty!: number;
  @ApiProperty({ description: 'Additions after the first entry' }) dcaCount!: number;
  @ApiProperty({ description: 'Net PnL in quote (after fees and funding)' }) pnl!: number;
  @ApiProperty() pnlPct!: number;
  @ApiProperty() fees!: number;
  @ApiProperty({ description: 'Funding paid (negative = received)' }) funding!: number;
  @ApiProperty({ example: 'tp1', description: 'Tag of the order that closed the position' }) reason!: string;
  @ApiProperty({ example: 'entry' }) entryTag!: string;
  @ApiProperty() durationMs!: number;

  static from(t: TradeRecord): BacktestTradeDto {
    return {
      entryTime: new Date(t.entryTime).toISOString(),
      exitTime: new Date(t.exitTime).toISOString(),
      side: t.side,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      qty: t.qty,
      dcaCount: t.dcaCount,
      pnl: t.pnl,
      pnlPct: t.pnlPct,
      fees: t.fees,
      funding: t.funding,
      reason: t.reason,
      entryTag: t.entryTag,
      durationMs: t.durationMs,
    };
  }
}

export class BacktestEquityPointDto {
  @ApiProperty({ type: String, format: 'date-time' }) time!: string;
  @ApiProperty() equity!: number;
  @ApiProperty({ description: '≤ 0: (equity − peak) / peak × 100, deepest in the bucket' }) drawdownPct!: number;
}

export class BacktestResultDto {
  @ApiProperty() candles!: number;
  @ApiProperty() finalBalance!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'BacktestMetrics: returns, ratios, drawdown, trade stats, monthly rows, exit reasons' })
  metrics!: BacktestMetrics;
  @ApiProperty({ type: [BacktestTradeDto] }) trades!: BacktestTradeDto[];
  @ApiProperty({ type: [BacktestEquityPointDto], description: `Equity curve downsampled to at most 2,000 points` })
  equity!: BacktestEquityPointDto[];
}

/** The run without its result (history rows). */
export class BacktestRunSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: BACKTEST_RUN_STATUSES }) status!: BacktestRunStatus;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42 }) progress!: number;
  @ApiProperty({ enum: ['async', 'sync'] }) mode!: 'async' | 'sync';
  @ApiProperty({ example: 'hyperrsi' }) strategy!: string;
  @ApiProperty({ example: 'binance' }) exchange!: string;
  @ApiProperty({ example: 'BTC/USDT' }) symbol!: string;
  @ApiProperty({ example: '1h' }) timeframe!: string;
  @ApiProperty({ type: String, format: 'date-time' }) from!: string;
  @ApiProperty({ type: String, format: 'date-time' }) to!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The full request with every default applied' })
  request!: Record<string, unknown>;
  @ApiProperty({ description: 'True once DELETE asked a running run to stop' }) cancelRequested!: boolean;
  @ApiProperty({ description: 'Worker attempts so far (a retried or restarted run has more than one)' }) attempts!: number;
  @ApiPropertyOptional({ type: BacktestRunErrorDto, nullable: true }) error!: BacktestRunErrorDto | null;
  @ApiProperty({ type: String, format: 'date-time' }) queuedAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Candles simulated (when completed)' }) candles!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) finalBalance!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Total return % (when completed)' }) totalReturnPct!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) maxDrawdownPct!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) trades!: number | null;

  static from(r: BacktestRunRecord): BacktestRunSummaryDto {
    return {
      id: r.id,
      status: r.status,
      progress: r.progress,
      mode: r.mode,
      strategy: r.strategy,
      exchange: r.exchange,
      symbol: r.symbol,
      timeframe: r.timeframe,
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      settings: apiSettings(r.settings),
      request: { ...r.request, settings: apiSettings(r.request.settings), from: new Date(r.request.from).toISOString(), to: new Date(r.request.to).toISOString() },
      cancelRequested: r.cancelRequested,
      attempts: r.attempts,
      error: r.error !== null ? { code: r.errorCode ?? 'INTERNAL_ERROR', message: r.error } : null,
      queuedAt: r.queuedAt.toISOString(),
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      candles: r.candles,
      finalBalance: r.finalBalance,
      totalReturnPct: r.metrics?.totalReturnPct ?? null,
      maxDrawdownPct: r.metrics?.maxDrawdownPct ?? null,
      trades: r.metrics?.trades ?? null,
    };
  }
}

/** GET /api/backtests/:id — the run, and its result once completed. */
export class BacktestRunResponseDto extends BacktestRunSummaryDto {
  @ApiPropertyOptional({ type: BacktestResultDto, nullable: true, description: 'Present when status is completed' })
  result!: BacktestResultDto | null;

  static withResult(r: BacktestRunRecord, trades: readonly TradeRecord[] | null, equity: readonly EquityPoint[] | null): BacktestRunResponseDto {
    const base = BacktestRunSummaryDto.from(r);
    const result =
      r.status === 'completed' && r.metrics && trades && equity
        ? {
            candles: r.candles ?? r.metrics.candles,
            finalBalance: r.finalBalance ?? r.metrics.finalBalance,
            metrics: r.metrics,
            trades: trades.map((t) => BacktestTradeDto.from(t)),
            equity: equity.map((p) => ({ time: new Date(p.time).toISOString(), equity: p.equity, drawdownPct: p.drawdownPct })),
          }
        : null;
    return { ...base, result };
  }
}

export class BacktestRunListResponseDto {
  @ApiProperty({ type: [BacktestRunSummaryDto] }) items!: BacktestRunSummaryDto[];
  @ApiProperty({ description: 'Runs matching the filters' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

/** 202 answer of POST /api/backtests. */
export class BacktestRunAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: BACKTEST_RUN_STATUSES, example: 'queued' }) status!: BacktestRunStatus;
  @ApiProperty({ example: '/api/backtests/3f1c2a9e-7c1b-4d8e-9f3a-2b1c0d9e8f7a', description: 'Poll this for status and result' })
  location!: string;
}
