import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, type Fill, type GridState, type MarketSpec, type Strategy } from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { parseCandleColumns } from '@tb/market';

/**
 * Scenario: the original's adaptive long-short grid nets (docs/adr/0015-grid-placement-as-the-original.md): it holds
 * one net position — a buy while short is a reduce-only take-profit of the short, never a new long — instead of two
 * independent legs. Real BTC/USDT 1h candles of 2024 on a 3x perpetual. The position per side is rebuilt here from
 * the fills the strategy received (buy on long / sell on short add, the others reduce) and checked after every fill.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

function run(settings: Record<string, unknown>): { fills: Fill[]; both: number; stats: Record<string, number> } {
  const fills: Fill[] = [];
  const g = gridStrategy as unknown as Strategy<unknown, GridState>;
  const rec: Strategy<unknown, GridState> = { ...g, onFill: (s, f) => (fills.push(f), g.onFill(s, f)) };
  const r = runBacktest({ strategy: rec, settings, candles: cols, market: PERP, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005, leverage: 3, marginMode: 'isolated' });
  const pos = { long: 0, short: 0 };
  let both = 0;
  for (const f of fills) {
    const adds = (f.positionSide === 'long') === (f.side === 'buy');
    pos[f.positionSide] = Number((pos[f.positionSide] + (adds ? f.amount : -f.amount)).toFixed(6));
    if (pos.long > 0 && pos.short > 0) both++;
  }
  return { fills, both, stats: { ...r.strategyStats } };
}

describe('scenario: an adaptive long-short grid nets its legs', () => {
  const base = { mode: 'adaptive', direction: 'long-short', investment: 3_000, leverage: 3, useRegimeFilter: false };

  it('never holds a long and a short at the same time, while trading both directions', () => {
    const { fills, both, stats } = run(base);
    const opened = (side: 'long' | 'short') => fills.filter((f) => f.positionSide === side && (side === 'long') === (f.side === 'buy')).length;
    expect(opened('long')).toBeGreaterThan(10);
    expect(opened('short')).toBeGreaterThan(10);
    expect(both).toBe(0);
    // grid statistics: per-level round trips apart from the floating PnL
    expect(stats.matched_pairs).toBeGreaterThan(10);
    expect(Object.keys(stats).sort()).toEqual(['entries', 'floating_pnl', 'grid_profit', 'matched_pairs', 'realized_pnl']);
  });
});
