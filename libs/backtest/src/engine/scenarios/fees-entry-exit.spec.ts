import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest.runner';
import { SPOT, bars, market, scriptedStrategy } from '../testing/scripted.strategy';

/** Spot: market buy 0.5 at the next open (200), market sell 0.5 at the next open (210). Taker 0.1%, slippage 0.05%. */
describe('scenario: fees charged on entry and exit', () => {
  const strategy = scriptedStrategy({
    onCandle: (i) =>
      i === 0 ? [market('f:entry', 'buy', 'long', 0.5, 'entry')] : i === 2 ? [market('f:exit', 'sell', 'long', 0.5, 'close', true)] : [],
  });
  const r = runBacktest({
    strategy,
    settings: {},
    candles: bars([
      [199, 201, 198, 200],
      [200, 205, 199, 204], // buy fills at 200 * 1.0005 = 200.1
      [204, 209, 203, 208],
      [210, 211, 207, 209], // sell fills at 210 * 0.9995 = 209.895, rounded down to the 0.01 tick: 209.89
    ]),
    market: SPOT,
    timeframe: '1h',
    initialBalance: 1_000,
    feeMaker: 0.0002,
    feeTaker: 0.001,
    slippage: 0.0005,
  });

  it('charges the taker fee on both sides of the trade', () => {
    const t = r.trades[0];
    // entry fee 0.5 * 200.1 * 0.001 = 0.10005 ; exit fee 0.5 * 209.89 * 0.001 = 0.104945
    // price PnL 0.5 * (209.89 - 200.1) = 4.895 ; net 4.895 - 0.204995 = 4.690005
    expect(t.entryPrice).toBeCloseTo(200.1, 10);
    expect(t.exitPrice).toBeCloseTo(209.89, 10);
    expect(t.fees).toBeCloseTo(0.10005 + 0.104945, 12);
    expect(t.pnl).toBeCloseTo(4.895 - 0.204995, 10);
    expect(t.reason).toBe('close');
    expect(r.metrics.feesPaid).toBeCloseTo(0.204995, 12);
    expect(r.finalBalance).toBeCloseTo(1_000 + 4.690005, 10);
  });

  it('marks equity at the close with the fee already paid', () => {
    // c1 close: cash 1000 - 100.05 - 0.10005 = 899.84995 ; plus 0.5 * 204 = 1001.84995
    expect(r.equityValue[1]).toBeCloseTo(1_001.84995, 10);
  });
});
