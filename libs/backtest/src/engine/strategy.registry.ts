import * as strategies from '@tb/strategies';
import type { Strategy } from '@tb/strategies';
import { smaCrossStrategy } from './sma-cross.strategy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = Strategy<any, any>;

/** Export names in @tb/strategies of the strategies the backtester can run, by CLI/API name. */
const EXPORTS: Record<string, string> = { hyperrsi: 'hyperrsiStrategy', grid: 'gridStrategy' };

/** Strategy lookup by name: hyperrsi and grid from @tb/strategies (when present), plus sma_cross. */
export function strategyNames(): string[] {
  return [...Object.keys(EXPORTS).filter((n) => findStrategy(n)), 'sma_cross'];
}

export function findStrategy(name: string): AnyStrategy | undefined {
  const key = name.trim().toLowerCase();
  if (key === 'sma_cross' || key === 'sma-cross') return smaCrossStrategy;
  const exportName = EXPORTS[key];
  if (!exportName) return undefined;
  const s = (strategies as unknown as Record<string, unknown>)[exportName];
  return s && typeof (s as AnyStrategy).decide === 'function' ? (s as AnyStrategy) : undefined;
}

export function getStrategy(name: string): AnyStrategy {
  const s = findStrategy(name);
  if (!s) throw new RangeError(`unknown strategy "${name}" (available: ${strategyNames().join(', ')})`);
  return s;
}
