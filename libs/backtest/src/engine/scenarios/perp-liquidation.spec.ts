import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest.runner';
import { PERP, bars, market, stop, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * Perp long 1 @ 100 at 50x, isolated margin, maintenance margin rate 0.5%, taker 0.05%, no slippage.
 * Its stop-loss at 97 is below the liquidation price, so the position is liquidated first.
 */
describe('scenario: liquidation of an over-levered perp long', () => {
  const closed: Array<{ key: string; status: string; reason?: string }> = [];
  const strategy = scriptedStrategy({
    onClosed: (e) => (closed.push(e), []),
    onCandle: (i) => (i === 0 ? [market('l:entry', 'buy', 'long', 1, 'entry')] : []),
    onFill: (f) => (f.tag === 'entry' ? [stop('l:entry>sl', 'sell', 'long', 1, 97, 'sl')] : []),
  });
  const r = runBacktest({
    strategy,
    settings: {},
    candles: bars([
      [100, 100, 100, 100],
      [100, 100.2, 99.5, 99.8], // entry fills @100: fee 0.05, margin 100 / 50 = 2
      [99.5, 99.8, 97, 97.5], // path 99.5 -> 99.8 -> 97: the liquidation price 98.4924... is reached first
      [97.5, 98, 97, 97.8],
    ]),
    market: PERP,
    timeframe: '1h',
    initialBalance: 1_000,
    feeMaker: 0.0002,
    feeTaker: 0.0005,
    slippage: 0,
    leverage: 50,
    maintenanceMarginRate: 0.005,
  });

  it('closes at the liquidation price and loses the whole isolated margin', () => {
    // liq = (E*q - M) / (q * (1 - mmr)) = (100 - 2) / 0.995 = 98.49246231155779
    const liq = 98 / 0.995;
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t.reason).toBe('liquidation');
    expect(t.exitPrice).toBeCloseTo(liq, 10);
    // net loss = margin 2 + entry fee 0.05 (price PnL -1.5075... plus the clearance of the remaining 0.4924...)
    expect(t.pnl).toBeCloseTo(-2.05, 10);
    expect(r.finalBalance).toBeCloseTo(997.95, 10);
    expect(r.metrics.liquidations).toBe(1);
    // fees: 0.05 entry + remaining margin 2 - (100 - liq) = 0.49246...
    expect(r.metrics.feesPaid).toBeCloseTo(0.05 + 2 - (100 - liq), 10);
  });

  it('cancels the stop-loss when the position is gone', () => {
    expect(closed).toEqual([expect.objectContaining({ key: 'l:entry>sl', status: 'canceled', reason: 'position_closed' })]);
    // equity after the liquidation candle's close is flat: 997.95
    expect(r.equityValue[2]).toBeCloseTo(997.95, 10);
  });
});
