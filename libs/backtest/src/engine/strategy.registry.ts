import { gridStrategy, hyperrsiStrategy, type Strategy } from '@tb/strategies';
import { smaCrossStrategy } from './sma-cross.strategy';

/** The strategies the backtester runs, by CLI/API name (a closed list: a name is checked, never used as a key). */
export const BACKTEST_STRATEGY_NAMES = ['hyperrsi', 'grid', 'sma_cross'] as const;
export type BacktestStrategyName = (typeof BACKTEST_STRATEGY_NAMES)[number];

/** A strategy as the backtester drives it: its settings and state stay opaque (each strategy parses its own). */
export type RunnableStrategy = Strategy<unknown, unknown>;

export function backtestStrategy(name: BacktestStrategyName): RunnableStrategy {
  switch (name) {
    case 'hyperrsi':
      return hyperrsiStrategy as unknown as RunnableStrategy;
    case 'grid':
      return gridStrategy as unknown as RunnableStrategy;
    case 'sma_cross':
      return smaCrossStrategy as unknown as RunnableStrategy;
  }
}

/** A user-typed name (case and surrounding spaces ignored; `sma-cross` for sma_cross), or undefined. */
export function parseBacktestStrategyName(name: string): BacktestStrategyName | undefined {
  const key = name.trim().toLowerCase().replace('-', '_');
  return BACKTEST_STRATEGY_NAMES.find((n) => n === key);
}

export function strategyNames(): string[] {
  return [...BACKTEST_STRATEGY_NAMES];
}

export function findStrategy(name: string): RunnableStrategy | undefined {
  const n = parseBacktestStrategyName(name);
  return n === undefined ? undefined : backtestStrategy(n);
}

export function getStrategy(name: string): RunnableStrategy {
  const s = findStrategy(name);
  if (!s) throw new RangeError(`unknown strategy "${name}" (available: ${strategyNames().join(', ')})`);
  return s;
}
