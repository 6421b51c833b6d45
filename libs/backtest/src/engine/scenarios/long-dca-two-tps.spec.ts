import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest.runner';
import { SPOT, T0, HOUR, bars, limit, market, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * Spot long: market entry 1 @ 100, one DCA limit 1 @ 95, then two reduce-only take-profits 1 @ 100 and 1 @ 105.
 * Fees: maker 0.1%, taker 0.2%, no slippage. Limits fill only when price trades THROUGH them.
 */
describe('scenario: long with one DCA and two partial take-profits', () => {
  const candles = bars([
    [100, 101, 99, 100], // c0: decide -> market buy 1
    [100, 100.5, 94, 95], // c1: entry fills at the open 100; path 100 -> 100.5 -> 94 (DCA @95 fills) -> 95
    [95, 101, 94.5, 100], // c2: path 95 -> 94.5 -> 101 (tp1 @100 fills) -> 100
    [100, 105, 99, 104], // c3: high == 105 only touches tp2 -> no fill (through rule)
    [104, 106, 103, 105], // c4: path 104 -> 103 -> 106 (tp2 @105 fills) -> 105
    [105, 105, 105, 105], // c5
  ]);
  const strategy = scriptedStrategy({
    onCandle: (i) => (i === 0 ? [market('b:entry', 'buy', 'long', 1, 'entry')] : []),
    onFill: (f) =>
      f.tag === 'entry'
        ? [limit('b:entry>dca', 'buy', 'long', 1, 95, 'dca')]
        : f.tag === 'dca'
          ? [limit('b:dca>tp1', 'sell', 'long', 1, 100, 'tp1', true), limit('b:dca>tp2', 'sell', 'long', 1, 105, 'tp2', true)]
          : [],
  });
  const r = runBacktest({ strategy, settings: {}, candles, market: SPOT, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.001, feeTaker: 0.002, slippage: 0 });

  it('builds one trade with the hand-computed prices, fees and PnL', () => {
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    // entry fees: 100 * 1 * 0.002 = 0.2 (taker) ; DCA 95 * 1 * 0.001 = 0.095 (maker)
    // exit fees:  100 * 1 * 0.001 = 0.1 ; 105 * 1 * 0.001 = 0.105  -> total 0.5
    // average entry (100 + 95) / 2 = 97.5 ; average exit (100 + 105) / 2 = 102.5
    // realized: (100 - 97.5) * 1 + (105 - 97.5) * 1 = 2.5 + 7.5 = 10 ; net 10 - 0.5 = 9.5
    expect(t.side).toBe('long');
    expect(t.entryTime).toBe(T0 + 1 * HOUR);
    expect(t.exitTime).toBe(T0 + 4 * HOUR);
    expect(t.entryPrice).toBeCloseTo(97.5, 10);
    expect(t.exitPrice).toBeCloseTo(102.5, 10);
    expect(t.qty).toBeCloseTo(2, 12);
    expect(t.dcaCount).toBe(1);
    expect(t.fees).toBeCloseTo(0.5, 10);
    expect(t.pnl).toBeCloseTo(9.5, 10);
    expect(t.reason).toBe('tp2');
  });

  it('fills tp2 only when price trades through it, and closes the ledger', () => {
    // c3's high equals tp2 (105): touched, not traded through -> the trade only closes in c4
    expect(r.trades[0].exitTime).toBe(T0 + 4 * HOUR);
    // 10000 - 100 - 0.2 - 95 - 0.095 + 100 - 0.1 + 105 - 0.105 = 10009.5
    expect(r.finalBalance).toBeCloseTo(10_009.5, 9);
    expect(r.metrics.feesPaid).toBeCloseTo(0.5, 10);
    expect(r.metrics.realizedPnl).toBeCloseTo(10, 10);
    // equity at c3's close: cash 10000-100.2-95.095+99.9 = 9904.605, plus 1 BTC @ 104 = 10008.605 (tp2 still open)
    expect(r.equityValue[3]).toBeCloseTo(10_008.605, 9);
    expect(r.equityValue[5]).toBeCloseTo(10_009.5, 9);
    expect(r.metrics.totalReturnPct).toBeCloseTo(0.095, 9);
  });
});
