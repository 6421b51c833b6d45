import { describe, expect, it } from 'vitest';
import type { FillEvent } from '@tb/matching';
import { TradeTracker } from './trade.tracker';

/** Fill events as the engine emits them (long side; realized PnL against the average entry). */
function fill(key: string, side: 'buy' | 'sell', amount: number, price: number, fee: number, time: number, pos: { qty: number; avg: number; pnl: number }, tag: string): FillEvent {
  return {
    type: 'fill',
    fill: { key, side, positionSide: 'long', amount, price, fee, time, tag, remaining: 0 },
    orderType: 'limit',
    liquidity: 'maker',
    reduceOnly: side === 'sell',
    increase: side === 'buy',
    realizedPnl: pos.pnl,
    positionQty: pos.qty,
    positionAvgPrice: pos.avg,
  };
}

describe('TradeTracker per fill (grids): one trade per reducing fill, against the average entry', () => {
  it('splits entry fees and funding by the share closed, and the trades sum to the account PnL', () => {
    const t = new TradeTracker({ perFill: true });
    t.onFill(fill('b1', 'buy', 1, 100, 0.1, 0, { qty: 1, avg: 100, pnl: 0 }, 'grid_open'));
    t.onFill(fill('b2', 'buy', 1, 110, 0.11, 10, { qty: 2, avg: 105, pnl: 0 }, 'grid_open'));
    // sell 1 @ 120: realized (120 − 105) × 1 = 15 ; entry fees 0.21 × 1/2 = 0.105 ; exit fee 0.12 ; pnl 14.775
    t.onFill(fill('s1', 'sell', 1, 120, 0.12, 20, { qty: 1, avg: 105, pnl: 15 }, 'grid_tp'));
    // funding 0.5 paid on the remaining 1
    t.onFunding({ type: 'funding', time: 25, positionSide: 'long', rate: 0.001, price: 100, amount: 0.5 });
    // sell 1 @ 100: realized −5 ; entry fees 0.105 ; exit fee 0.1 ; funding 0.5 ; pnl −5.705
    t.onFill(fill('s2', 'sell', 1, 100, 0.1, 30, { qty: 0, avg: 0, pnl: -5 }, 'grid_sl'));
    expect(t.trades.map((x) => [x.reason, x.qty, x.entryPrice, x.exitPrice])).toEqual([
      ['grid_tp', 1, 105, 120],
      ['grid_sl', 1, 105, 100],
    ]);
    expect(t.trades[0].pnl).toBeCloseTo(14.775, 12);
    expect(t.trades[1].pnl).toBeCloseTo(-5.705, 12);
    expect(t.trades[1].funding).toBeCloseTo(0.5, 12);
    // average entry time of the open lots: (0 × 1 + 10 × 1) / 2 = 5
    expect(t.trades[0].entryTime).toBe(5);
    // Σ pnl = realized 10 − fees 0.43 − funding 0.5 = 9.07
    expect(t.trades[0].pnl + t.trades[1].pnl).toBeCloseTo(t.realized.value - t.fees.value - t.funding.value, 12);
    expect(t.realized.value - t.fees.value - t.funding.value).toBeCloseTo(9.07, 12);
  });
});
