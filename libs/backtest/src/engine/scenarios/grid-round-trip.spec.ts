import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest.runner';
import { SPOT, T0, HOUR, bars, limit, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * A one-level spot grid: buy 1 @ 95; when it fills, sell 1 @ 100 (reduce-only); when that fills, re-arm the buy.
 * Maker 0.1% (every grid fill is a resting limit), taker 0.2%, no slippage.
 */
describe('scenario: grid round trip', () => {
  let rearmed = 0;
  const strategy = scriptedStrategy({
    onCandle: (i) => (i === 0 ? [limit('g:buy:95:0', 'buy', 'long', 1, 95, 'grid_open')] : []),
    onFill: (f) =>
      f.tag === 'grid_open'
        ? [limit(`${f.key}>tp`, 'sell', 'long', 1, 100, 'grid_tp', true)]
        : [limit(`g:buy:95:${++rearmed}`, 'buy', 'long', 1, 95, 'grid_open')],
  });
  const r = runBacktest({
    strategy,
    settings: {},
    candles: bars([
      [100, 101, 99, 100], // c0: place buy @95
      [100, 100, 94, 96], // c1: path 100 -> 100 -> 94 (buy fills @95) -> 96
      [96, 101, 95.5, 99], // c2: path 96 -> 95.5 -> 101 (sell fills @100, buy re-armed) -> 99
      [99, 99.5, 96, 97], // c3: nothing: the re-armed buy @95 is not reached
    ]),
    market: SPOT,
    timeframe: '1h',
    initialBalance: 10_000,
    feeMaker: 0.001,
    feeTaker: 0.002,
    slippage: 0,
  });

  it('completes one buy-low / sell-high cycle at maker fees', () => {
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    // fees 95 * 0.001 + 100 * 0.001 = 0.195 ; pnl (100 - 95) - 0.195 = 4.805
    expect(t.entryPrice).toBe(95);
    expect(t.exitPrice).toBe(100);
    expect(t.entryTime).toBe(T0 + HOUR);
    expect(t.exitTime).toBe(T0 + 2 * HOUR);
    expect(t.fees).toBeCloseTo(0.195, 12);
    expect(t.pnl).toBeCloseTo(4.805, 12);
    expect(t.reason).toBe('grid_tp');
    expect(rearmed).toBe(1);
  });

  it('marks equity with the open inventory and ends flat', () => {
    // c1 close: cash 10000 - 95 - 0.095 = 9904.905 plus 1 @ 96 -> 10000.905
    expect(r.equityValue[1]).toBeCloseTo(10_000.905, 9);
    // c2 onwards: flat, 10004.805 (the re-armed buy is canceled at the end, never filled)
    expect(r.equityValue[2]).toBeCloseTo(10_004.805, 9);
    expect(r.finalBalance).toBeCloseTo(10_004.805, 9);
    // exposure: only c1 closed with a position -> 1 / 4 candles
    expect(r.metrics.exposurePct).toBeCloseTo(25, 12);
  });
});
