import { equityPoints } from '../engine/backtest.runner';
import type { BacktestMetrics, BacktestResult, EquityPoint, TradeRecord } from '../engine/backtest.types';

/** The JSON document written to result.json (and returned by the API). */
export interface BacktestResultJson {
  readonly version: 1;
  readonly strategy: string;
  readonly symbol: string;
  readonly marketType: 'spot' | 'perp';
  readonly timeframe: string;
  readonly settings: unknown;
  readonly initialBalance: number;
  readonly finalBalance: number;
  readonly metrics: BacktestMetrics;
  /** perp: 'isolated' | 'cross'; null on spot */
  readonly marginMode: string | null;
  /** perp: funding times inside the run; null when the run had no funding data */
  readonly fundingEvents: number | null;
  /** the strategy's own statistics (e.g. GRID grid profit and floating PnL) */
  readonly strategyStats: Readonly<Record<string, number>>;
  readonly trades: readonly TradeRecord[];
  readonly equity: readonly EquityPoint[];
}

export function toResultJson(r: BacktestResult): BacktestResultJson {
  return {
    version: 1,
    strategy: r.strategy,
    symbol: r.symbol,
    marketType: r.marketType,
    timeframe: r.timeframe,
    settings: r.settings,
    initialBalance: r.initialBalance,
    finalBalance: r.finalBalance,
    metrics: r.metrics,
    marginMode: r.marginMode ?? null,
    fundingEvents: r.fundingEvents ?? null,
    strategyStats: r.strategyStats ?? {},
    trades: r.trades,
    equity: equityPoints(r),
  };
}

const CSV_COLUMNS = ['entryTime', 'exitTime', 'side', 'entryPrice', 'exitPrice', 'qty', 'dcaCount', 'pnl', 'pnlPct', 'fees', 'funding', 'reason', 'entryTag', 'durationMs'] as const;

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** trades.csv: one row per trade; times as ISO-8601 UTC. */
export function tradesCsv(trades: readonly TradeRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of trades) {
    lines.push(
      CSV_COLUMNS.map((c) => (c === 'entryTime' || c === 'exitTime' ? new Date(t[c]).toISOString() : csvCell(t[c]))).join(','),
    );
  }
  return lines.join('\n') + '\n';
}
