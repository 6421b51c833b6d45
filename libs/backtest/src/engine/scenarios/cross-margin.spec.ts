import { describe, expect, it } from 'vitest';
import type { MarginMode } from '@tb/matching';
import { runBacktest } from '../backtest.runner';
import { PERP, bars, limit, market, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * Cross margin (docs/adr/0011-cross-margin-and-funding.md): the whole wallet backs the position; the account is
 * liquidated when its equity falls to the maintenance margin, at
 *   P = (aL·qL − aS·qS − W) / (qL − qS − mmr·(qL + qS)),
 * every position is closed at P and the remaining equity (= the maintenance margin) is lost.
 * Maintenance margin rate 0.5%, taker 0.05%, maker 0.02%, no slippage.
 */
const COSTS = { feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0, maintenanceMarginRate: 0.005 } as const;

describe('scenario: a cross-margin long survives the move that liquidates it isolated', () => {
  // long 1 @ 100 at 50x on a 1,000 USDT account: isolated margin 2, liquidation (100 − 2) / 0.995 = 98.4925
  const run = (marginMode: MarginMode) =>
    runBacktest({
      strategy: scriptedStrategy({ onCandle: (i) => (i === 0 ? [market('x:entry', 'buy', 'long', 1, 'entry')] : []) }),
      settings: {},
      candles: bars([
        [100, 100, 100, 100],
        [100, 100.2, 99.5, 99.8], // entry @ 100, fee 0.05
        [99.5, 99.8, 97, 97.5], // low 97: below the isolated liquidation price
        [97.5, 98, 97, 97.8],
      ]),
      market: PERP,
      timeframe: '1h',
      initialBalance: 1_000,
      leverage: 50,
      marginMode,
      ...COSTS,
    });

  it('isolated: liquidated at 98.4925 with the margin lost', () => {
    const r = run('isolated');
    expect(r.marginMode).toBe('isolated');
    expect(r.metrics.liquidations).toBe(1);
    expect(r.trades[0].reason).toBe('liquidation');
    expect(r.finalBalance).toBeCloseTo(1_000 - 2 - 0.05, 10);
  });

  it('cross: W = 999.95, P = (100 − 999.95) / 0.995 < 0 — no liquidation; closed at the last close 97.8', () => {
    const r = run('cross');
    expect(r.marginMode).toBe('cross');
    expect(r.metrics.liquidations).toBe(0);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t.reason).toBe('end_of_data');
    // price PnL (97.8 − 100) × 1 = −2.2 ; fees 0.05 + 97.8 × 0.0005 = 0.0489 ; net −2.2989
    expect(t.pnl).toBeCloseTo(-2.2989, 10);
    expect(r.finalBalance).toBeCloseTo(997.7011, 10);
  });
});

describe('scenario: a cross liquidation closes the account at the cross price', () => {
  // 100 USDT account, long 10 @ 100 at 20x: margin 50, entry fee 1,000 × 0.0005 = 0.5, wallet W = 99.5.
  // isolated liquidation would be (1,000 − 50) / (10 × 0.995) = 95.4774
  // cross: P = (100 × 10 − 99.5) / (10 × (1 − 0.005)) = 900.5 / 9.95 = 90.50251256281407
  // check: equity at P = 99.5 + (P − 100) × 10 = 4.52513 = maintenance 0.005 × 10 × P
  const P = 900.5 / 9.95;
  const closed: Array<{ key: string; status: string; reason?: string }> = [];
  const r = runBacktest({
    strategy: scriptedStrategy({
      onCandle: (i) => (i === 0 ? [market('c:entry', 'buy', 'long', 10, 'entry'), limit('c:dip', 'buy', 'long', 1, 80, 'dca')] : []),
      onClosed: (e) => (closed.push(e), []),
    }),
    settings: {},
    candles: bars([
      [100, 100, 100, 100],
      [100, 100.5, 99.5, 100], // entry @ 100
      [99, 99.5, 94, 95], // low 94: an isolated position would be gone (95.4774); cross holds
      [95, 95.5, 90, 91], // reaches P = 90.5025 on the way down to 90
      [91, 92, 90.5, 91.5],
    ]),
    market: PERP,
    timeframe: '1h',
    initialBalance: 100,
    leverage: 20,
    marginMode: 'cross',
    ...COSTS,
  });

  it('liquidates once, at P, and the account is wiped (the maintenance margin is lost)', () => {
    expect(r.metrics.liquidations).toBe(1);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t.reason).toBe('liquidation');
    expect(t.exitTime).toBe(r.equityTime[3]);
    expect(t.exitPrice).toBeCloseTo(P, 10);
    // price PnL (P − 100) × 10 = −94.97487 ; fees 0.5 + remaining equity 4.52513 ; net −100
    expect(t.pnl).toBeCloseTo(-100, 10);
    expect(r.finalBalance).toBeCloseTo(0, 10);
    expect(r.metrics.feesPaid).toBeCloseTo(0.5 + (99.5 + (P - 100) * 10), 10);
  });

  it('cancels every resting order with reason liquidation', () => {
    expect(closed).toEqual([expect.objectContaining({ key: 'c:dip', status: 'canceled', reason: 'liquidation' })]);
  });
});
