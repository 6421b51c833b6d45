import { StrategySettingsError, isPerpSymbol, symbolForMarket, timeframeMs, type MarketSpec, type Timeframe } from '@tb/strategies';
import type { BacktestInput } from '@tb/backtest';
import { getStrategy } from '@tb/backtest';
import { InvalidBacktestSettingsError } from './backtest-runs.errors';

/** Strategies the API runs (the CLI also knows the sma_cross demo). */
export const BACKTEST_API_STRATEGIES = ['hyperrsi', 'grid'] as const;
export type BacktestApiStrategy = (typeof BACKTEST_API_STRATEGIES)[number];

/** Engine defaults shared with `tb backtest` (apps/cli): the same request gives the same run through both. */
export const BACKTEST_DEFAULTS = {
  initialBalance: 10_000,
  feeMaker: 0.0002,
  feeTaker: 0.0005,
  slippage: 0.0005,
  maintenanceMarginRate: 0.005,
  limitFill: 'through',
  tickSize: 0.01,
  amountStep: 0.0001,
  minNotional: 5,
} as const;

/**
 * A backtest request with every default applied: what is stored in `backtest_runs.request` and what the worker
 * runs. Times are epoch ms; the candle range is half-open [from, to) on candle OPEN times.
 */
export interface BacktestRunRequest {
  readonly strategy: BacktestApiStrategy;
  readonly exchange: string;
  /** The candle series' symbol in market_candles. */
  readonly symbol: string;
  readonly marketType: 'spot' | 'perp';
  readonly timeframe: Timeframe;
  readonly from: number;
  readonly to: number;
  /** As given by the caller; parseSettings fills in the defaults. */
  readonly settings: Record<string, unknown>;
  readonly initialBalance: number;
  readonly feeMaker: number;
  readonly feeTaker: number;
  readonly slippage: number;
  readonly leverage: number;
  readonly maintenanceMarginRate: number;
  readonly limitFill: 'through' | 'touch';
  readonly tickSize: number;
  readonly amountStep: number;
  readonly minNotional: number;
}

export type BacktestRunRequestInput = Pick<BacktestRunRequest, 'strategy' | 'exchange' | 'symbol' | 'timeframe' | 'from' | 'to'> &
  Partial<Omit<BacktestRunRequest, 'strategy' | 'exchange' | 'symbol' | 'timeframe' | 'from' | 'to' | 'leverage'>> & {
    readonly leverage?: number;
  };

/**
 * Applies the defaults exactly as `tb backtest` does: perp for hyperrsi or a `:SETTLE` symbol, else spot; leverage
 * from the request, else the parsed settings' leverage (defaults included), else 1 (spot: always 1). Validates the settings with the strategy's
 * own parseSettings (400 STRATEGY_SETTINGS_INVALID with one entry per bad field).
 */
export function normalizeBacktestRequest(input: BacktestRunRequestInput): BacktestRunRequest {
  const settings = input.settings ?? {};
  const strategy = getStrategy(input.strategy);
  let parsed: { leverage?: unknown };
  try {
    parsed = strategy.parseSettings(settings) as { leverage?: unknown };
  } catch (err) {
    if (err instanceof StrategySettingsError) throw new InvalidBacktestSettingsError(err);
    throw err;
  }
  const marketType = input.marketType ?? (isPerpSymbol(input.symbol) || input.strategy === 'hyperrsi' ? 'perp' : 'spot');
  // the engine's margin leverage is the one the strategy sizes with (its parsed settings, defaults included)
  const settingsLeverage = typeof parsed.leverage === 'number' ? parsed.leverage : undefined;
  return {
    strategy: input.strategy,
    exchange: input.exchange,
    symbol: input.symbol,
    marketType,
    timeframe: input.timeframe,
    from: input.from,
    to: input.to,
    settings,
    initialBalance: input.initialBalance ?? BACKTEST_DEFAULTS.initialBalance,
    feeMaker: input.feeMaker ?? BACKTEST_DEFAULTS.feeMaker,
    feeTaker: input.feeTaker ?? BACKTEST_DEFAULTS.feeTaker,
    slippage: input.slippage ?? BACKTEST_DEFAULTS.slippage,
    leverage: marketType === 'perp' ? (input.leverage ?? settingsLeverage ?? 1) : 1,
    maintenanceMarginRate: input.maintenanceMarginRate ?? BACKTEST_DEFAULTS.maintenanceMarginRate,
    limitFill: input.limitFill ?? BACKTEST_DEFAULTS.limitFill,
    tickSize: input.tickSize ?? BACKTEST_DEFAULTS.tickSize,
    amountStep: input.amountStep ?? BACKTEST_DEFAULTS.amountStep,
    minNotional: input.minNotional ?? BACKTEST_DEFAULTS.minNotional,
  };
}

/** The market the engine simulates: a perp of `BTC/USDT` is `BTC/USDT:USDT` (as in the CLI). */
export function marketSpecOf(r: BacktestRunRequest): MarketSpec {
  const symbol = symbolForMarket(r.symbol, r.marketType);
  return { symbol, type: r.marketType, tickSize: r.tickSize, amountStep: r.amountStep, minAmount: r.amountStep, minNotional: r.minNotional };
}

/** Most candles the range can hold (the range is half-open on open times). */
export function candlesInRange(r: Pick<BacktestRunRequest, 'from' | 'to' | 'timeframe'>): number {
  const tf = timeframeMs(r.timeframe);
  return Math.max(0, Math.ceil((r.to - r.from) / tf));
}

/** Engine input for the request over candles already cut to the range. */
export function backtestInputOf(r: BacktestRunRequest, candles: BacktestInput['candles']): BacktestInput {
  return {
    strategy: getStrategy(r.strategy),
    settings: r.settings,
    candles,
    market: marketSpecOf(r),
    timeframe: r.timeframe,
    initialBalance: r.initialBalance,
    feeMaker: r.feeMaker,
    feeTaker: r.feeTaker,
    slippage: r.slippage,
    leverage: r.leverage,
    maintenanceMarginRate: r.maintenanceMarginRate,
    limitFill: r.limitFill,
  };
}
