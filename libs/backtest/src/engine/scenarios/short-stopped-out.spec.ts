import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest.runner';
import { PERP, bars, market, stop, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * Perp short, leverage 2: market sell 2 at the next open, stop-loss buy-stop 2 @ 103 (reduce-only).
 * Fees: maker 0.02%, taker 0.05%; slippage 0.1% (adverse), the slipped price rounded to the 0.01 tick against
 * the account (a buy up, a sell down).
 */
describe('scenario: short stopped out', () => {
  const strategy = scriptedStrategy({
    onCandle: (i) => (i === 0 ? [market('s:entry', 'sell', 'short', 2, 'entry')] : []),
    onFill: (f) => (f.tag === 'entry' ? [stop('s:entry>sl', 'buy', 'short', 2, 103, 'sl')] : []),
  });
  const run = (rows: Array<[number, number, number, number]>) =>
    runBacktest({ strategy, settings: {}, candles: bars(rows), market: PERP, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.001, leverage: 2 });

  it('stops inside the candle at the trigger plus slippage', () => {
    const r = run([
      [100, 100, 100, 100],
      [100, 100.5, 99, 100], // entry: 100 * (1 - 0.001) = 99.9 ; fee 2 * 99.9 * 0.0005 = 0.0999
      [101, 104, 100.5, 103.5], // path 101 -> 100.5 -> 104: stop at 103 fills 103 * 1.001 = 103.103 -> 103.11
      [103, 103, 103, 103],
    ]);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    // exit fee 2 * 103.11 * 0.0005 = 0.10311 ; price PnL (99.9 - 103.11) * 2 = -6.42
    // net -6.42 - 0.0999 - 0.10311 = -6.62301
    expect(t.side).toBe('short');
    expect(t.entryPrice).toBeCloseTo(99.9, 10);
    expect(t.exitPrice).toBeCloseTo(103.11, 10);
    expect(t.fees).toBeCloseTo(0.20301, 10);
    expect(t.pnl).toBeCloseTo(-6.62301, 9);
    expect(t.reason).toBe('sl');
    expect(r.finalBalance).toBeCloseTo(9_993.37699, 8);
  });

  it('fills at the open when the candle gaps through the stop', () => {
    const r = run([
      [100, 100, 100, 100],
      [100, 100.5, 99, 100],
      [104, 105, 103.5, 104.5], // opens above the trigger: fill at 104 * 1.001 = 104.104 -> 104.11
      [104, 104, 104, 104],
    ]);
    const t = r.trades[0];
    // price PnL (99.9 - 104.11) * 2 = -8.42 ; fees 0.0999 + 2 * 104.11 * 0.0005 = 0.0999 + 0.10411
    expect(t.exitPrice).toBeCloseTo(104.11, 10);
    expect(t.pnl).toBeCloseTo(-8.42 - 0.0999 - 0.10411, 9);
    expect(t.reason).toBe('sl');
  });
});
