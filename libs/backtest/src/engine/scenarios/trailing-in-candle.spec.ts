import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { PERP, bars, limit, market, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * A trailing stop follows the intra-candle path (docs/adr/0013-trailing-stop-in-candle.md) and triggers inside the
 * candle that turns against it. Perp long 1, taker 0.05%, slippage 0.1% (slipped prices rounded to the 0.01 tick
 * against the account). Trailing sell stop placed on the entry fill: trigger 95, offset 2.
 */
const trailingStop = (key: string): OrderIntent => ({
  action: 'place',
  key,
  type: 'stop_market',
  side: 'sell',
  positionSide: 'long',
  amount: 1,
  triggerPrice: 95,
  trailingOffset: 2,
  reduceOnly: true,
  tag: 'trailing',
});

describe('scenario: a trailing stop that triggers inside a candle', () => {
  const r = runBacktest({
    strategy: scriptedStrategy({
      onCandle: (i) => (i === 0 ? [market('t:entry', 'buy', 'long', 1, 'entry')] : []),
      onFill: (f) => (f.tag === 'entry' ? [trailingStop('t:entry>trail')] : []),
    }),
    settings: {},
    candles: bars([
      [100, 100, 100, 100],
      [100, 100.5, 99.8, 100], // entry @ 100 × 1.001 = 100.1 ; the stop rests from here: trigger max(95, 100.5 − 2) = 98.5
      // path: 100 → 99.5 (low first: nearer) → 106 → 103. At 99.5 nothing (trigger 98.5); on the way up the
      // trigger follows to 106 − 2 = 104; on the way down to 103 it is reached at 104: fill 104 × 0.999 = 103.896 → 103.89
      [100, 106, 99.5, 103],
      [103, 103.5, 102.5, 103],
    ]),
    market: PERP,
    timeframe: '1h',
    initialBalance: 1_000,
    feeMaker: 0.0002,
    feeTaker: 0.0005,
    slippage: 0.001,
    leverage: 5,
  });

  it('exits at the trailed trigger in the candle that turned, not at the next candle', () => {
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t.reason).toBe('trailing');
    expect(t.exitTime).toBe(r.equityTime[2]);
    expect(t.entryPrice).toBeCloseTo(100.1, 10);
    expect(t.exitPrice).toBeCloseTo(103.89, 10);
    // price PnL 103.89 − 100.1 = 3.79 ; fees 100.1 × 0.0005 + 103.89 × 0.0005 = 0.05005 + 0.051945 ; net 3.688005
    expect(t.pnl).toBeCloseTo(3.688005, 10);
    expect(r.finalBalance).toBeCloseTo(1_003.688005, 10);
  });
});

describe('scenario: a break-even exit is labelled break_even', () => {
  // long 1 @ 100 (no slippage, no fees); TP1 limit sell 0.5 @ 102; on the TP1 fill the stop moves to the entry
  // (100) with tag break_even; the price comes back: the remaining 0.5 exits at 100
  const r = runBacktest({
    strategy: scriptedStrategy({
      onCandle: (i) => (i === 0 ? [market('b:entry', 'buy', 'long', 1, 'entry')] : []),
      onFill: (f) =>
        f.tag === 'entry'
          ? [limit('b:entry>tp1', 'sell', 'long', 0.5, 102, 'tp1', true)]
          : f.tag === 'tp1'
            ? [{ ...trailingStop('b:tp1>be'), amount: 0.5, triggerPrice: 100, trailingOffset: undefined, tag: 'break_even' }]
            : [],
    }),
    settings: {},
    candles: bars([
      [100, 100, 100, 100],
      [100, 100.5, 99.8, 100.2], // entry @ 100
      [100.2, 102.5, 100.1, 101], // TP1 @ 102 (through 102.5): +1.0
      [101, 101.2, 99, 99.5], // the stop at 100 is reached: 0.5 × (100 − 100) = 0
    ]),
    market: PERP,
    timeframe: '1h',
    initialBalance: 1_000,
    feeMaker: 0,
    feeTaker: 0,
    slippage: 0,
    leverage: 5,
  });

  it('the trade that ends at the break-even stop reads break_even (a win of the TP1 part: +1)', () => {
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].reason).toBe('break_even');
    expect(r.trades[0].pnl).toBeCloseTo(1, 10);
    expect(r.metrics.exitReasons.map((e) => e.reason)).toEqual(['break_even']);
  });
});
