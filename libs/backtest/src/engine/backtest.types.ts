import type { FundingRate, LimitFillRule, MarginMode } from '@tb/matching';
import type { Candle, CandleColumns, MarketSpec, PositionSide, Strategy, Timeframe } from '@tb/strategies';

export interface BacktestProgress {
  readonly done: number;
  readonly total: number;
}

/** A trader command at a candle time (a journal's `command` entry: its candleTime, id and command). */
export interface BacktestCommand {
  /** open time of the candle the command follows */
  readonly time: number;
  readonly id?: string;
  /** the raw command; validated against the strategy (parseCommandFor) */
  readonly command: unknown;
}

export interface BacktestInput<Settings = unknown, State = unknown> {
  readonly strategy: Strategy<Settings, State>;
  /** Raw settings; passed through strategy.parseSettings. */
  readonly settings: unknown;
  readonly candles: CandleColumns | readonly Candle[];
  readonly market: MarketSpec;
  readonly timeframe: Timeframe;
  readonly initialBalance: number;
  readonly feeMaker: number;
  readonly feeTaker: number;
  readonly slippage: number;
  /** Inclusive range of candle OPEN times (ms). */
  readonly from?: number;
  readonly to?: number;
  /** perp only; default 1 */
  readonly leverage?: number;
  readonly maintenanceMarginRate?: number;
  readonly limitFill?: LimitFillRule;
  /** perp only; default: the strategy's `defaultMarginMode`, else isolated (docs/adr/0011-cross-margin-and-funding.md) */
  readonly marginMode?: MarginMode;
  /** perp only: funding history (ascending). Omitted = no funding data (the report says so, instead of 0). */
  readonly funding?: readonly FundingRate[];
  /** default 'backtest' */
  readonly botId?: string;
  /**
   * Trader commands, each applied right after the decision on the candle that opens at `time` (docs/adr/0018-trader-
   * commands.md) — as a bot applies a command after the last candle it decided. `id` keys the orders the command
   * places (default `${time}-${index}`).
   */
  readonly commands?: readonly BacktestCommand[];
  /** Called every `progressEvery` candles (default 65,536) and at the end. */
  readonly onProgress?: (p: BacktestProgress) => void;
  /** Checked as often as onProgress; returning true aborts with BacktestCanceledError. */
  readonly shouldCancel?: () => boolean;
  readonly progressEvery?: number;
}

export interface TradeRecord {
  readonly entryTime: number;
  readonly exitTime: number;
  readonly side: PositionSide;
  /** Volume-weighted average of the fills that built the position. */
  readonly entryPrice: number;
  /** Volume-weighted average of the fills that closed it. */
  readonly exitPrice: number;
  /** Total base amount bought (long) or sold (short) while the position was open. */
  readonly qty: number;
  /** Number of additions after the first entry order. */
  readonly dcaCount: number;
  /** Net: realized price PnL − fees − funding (quote). */
  readonly pnl: number;
  /** pnl relative to the entry cost (entryPrice × qty), in %. */
  readonly pnlPct: number;
  readonly fees: number;
  /** Funding paid during the trade (negative = received). */
  readonly funding: number;
  /**
   * Why the position (or, for per-fill trades, this part of it) was closed: the tag of the closing order —
   * tp1|tp2|tp3, sl, break_even, trailing, trend_close, dust, hedge_close, liquidation, manual, grid_tp, grid_sl,
   * time_stop, end_of_data (docs/adr/0014-exit-reasons-and-grid-statistics.md).
   */
  readonly reason: string;
  /** Tag of the order that opened it. */
  readonly entryTag: string;
  readonly durationMs: number;
}

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  /** 0 at a new high, otherwise (equity − peak) / peak × 100 (≤ 0). */
  readonly drawdownPct: number;
}

export interface MonthlyRow {
  /** 'YYYY-MM' (UTC) */
  readonly month: string;
  readonly startEquity: number;
  readonly endEquity: number;
  readonly returnPct: number;
  readonly pnl: number;
  /** Trades closed in the month. */
  readonly trades: number;
}

export interface ExitReasonRow {
  readonly reason: string;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly pnl: number;
  readonly avgPnlPct: number;
}

export interface BacktestMetrics {
  readonly startTime: number;
  /** Close time of the last candle. */
  readonly endTime: number;
  readonly candles: number;
  readonly initialBalance: number;
  readonly finalBalance: number;
  readonly totalReturnPct: number;
  readonly cagrPct: number;
  /** Annualised from per-candle equity returns (365-day crypto year); null when undefined (no variance). */
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** CAGR % / max drawdown %; null when there was no drawdown. */
  readonly calmar: number | null;
  /** Largest peak-to-trough fall of the equity curve, in % of the peak (positive number). */
  readonly maxDrawdownPct: number;
  /** Largest peak-to-trough fall in quote. */
  readonly maxDrawdownAbs: number;
  /** Peak and trough times of the max % drawdown; null when none. */
  readonly drawdownStart: number | null;
  readonly drawdownEnd: number | null;
  readonly drawdownDurationMs: number;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRatePct: number;
  /** Gross profit / gross loss; null when there was no losing trade. */
  readonly profitFactor: number | null;
  /** Mean net PnL per trade (quote). */
  readonly expectancy: number;
  /** Mean winner PnL / |mean loser PnL|; null without losers (freqtrade's "expectancy ratio" is a variant). */
  readonly payoffRatio: number | null;
  readonly avgWin: number;
  readonly avgLoss: number;
  readonly bestTrade: number;
  readonly worstTrade: number;
  readonly avgTradeDurationMs: number;
  /** Share of candles that closed with an open position. */
  readonly exposurePct: number;
  readonly feesPaid: number;
  /** Net funding paid (negative = received). */
  readonly fundingPaid: number;
  readonly realizedPnl: number;
  readonly buyAndHoldReturnPct: number;
  readonly maxConsecutiveWins: number;
  readonly maxConsecutiveLosses: number;
  readonly liquidations: number;
  readonly rejectedOrders: number;
  readonly monthly: readonly MonthlyRow[];
  readonly exitReasons: readonly ExitReasonRow[];
}

export interface BacktestResult {
  readonly strategy: string;
  readonly symbol: string;
  readonly marketType: 'spot' | 'perp';
  readonly timeframe: Timeframe;
  readonly settings: unknown;
  readonly initialBalance: number;
  readonly finalBalance: number;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly TradeRecord[];
  /** Per candle (close time order): open time, equity at the close, drawdown. */
  readonly equityTime: Float64Array;
  readonly equityValue: Float64Array;
  readonly drawdownPct: Float64Array;
  /** perp: margin mode of the run; null on spot */
  readonly marginMode: MarginMode | null;
  /** perp: funding rates that fell inside the run (charged or not); null when the run had no funding data */
  readonly fundingEvents: number | null;
  /** The strategy's own statistics (`Strategy.stats`), e.g. GRID's per-level round trips; {} when it has none. */
  readonly strategyStats: Readonly<Record<string, number>>;
  /** The candle range actually simulated (indexes into the input). */
  readonly range: { readonly start: number; readonly end: number };
  readonly durationMs?: number;
}

export class BacktestCanceledError extends Error {
  readonly code = 'BACKTEST_CANCELED';
  constructor(readonly done: number) {
    super(`backtest canceled after ${done} candles`);
    this.name = 'BacktestCanceledError';
  }
}

/** Thrown when the books do not balance: a bug in the engine, never a user error. */
export class LedgerMismatchError extends Error {
  readonly code = 'BACKTEST_LEDGER_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'LedgerMismatchError';
  }
}
