import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, type Fill, type GridState, type Intent, type MarketSpec, type OrderIntent, type Strategy } from '@tb/strategies';
import { ledgerTolerance, runBacktest } from '../backtest.runner';
import { parseCandleColumns } from '@tb/market';

/**
 * Scenario: an over-levered neutral range grid (50,000..70,000 / 20, 2,000 USDT × 20, engine leverage 20,
 * isolated margin) on the real BTC perpetual-like path of 20 Jul .. 20 Aug 2024: the long leg piles up on the
 * way down and the matching engine liquidates it on 4 Aug. The liquidation reaches GRID as a fill with a key it
 * never placed and tag 'liquidation'; the grid must treat it as a forced close: stop, cancel, trade no more,
 * and keep books that agree with the account.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

describe('scenario: a GRID leg is liquidated by the matching engine', () => {
  const fills: Fill[] = [];
  const placed = new Map<string, OrderIntent>();
  const answers: Array<{ fill: Fill; intents: readonly Intent[] }> = [];
  let last: GridState | null = null;
  const g = gridStrategy as unknown as Strategy<unknown, GridState>;
  const keep = (xs: readonly Intent[]) => xs.forEach((i) => i.action === 'place' && placed.set(i.key, i));
  const strategy: Strategy<unknown, GridState> = {
    name: g.name,
    parseSettings: (x) => g.parseSettings(x),
    init: (x) => g.init(x),
    decide: (s, c, m) => {
      const r = g.decide(s, c, m);
      keep(r.intents);
      last = r.state;
      return r;
    },
    onFill: (s, f) => {
      fills.push(f);
      const r = g.onFill(s, f);
      keep(r.intents);
      answers.push({ fill: f, intents: r.intents });
      last = r.state;
      return r;
    },
    onOrderClosed: (s, e) => {
      const r = g.onOrderClosed(s, e);
      keep(r.intents);
      last = r.state;
      return r;
    },
  };
  const r = runBacktest({
    strategy,
    settings: { mode: 'range', direction: 'neutral', lowerPrice: 50_000, upperPrice: 70_000, gridNum: 20, investment: 2_000, leverage: 20 },
    candles: cols,
    market: PERP,
    timeframe: '1h',
    initialBalance: 10_000,
    feeMaker: 0.0002,
    feeTaker: 0.0005,
    slippage: 0.0005,
    leverage: 20,
    from: Date.UTC(2024, 6, 20),
    to: Date.UTC(2024, 7, 20),
  });
  const liq = fills.filter((f) => f.tag === 'liquidation');

  it('the engine liquidates the long leg once, with a key the grid never placed', () => {
    expect(liq).toHaveLength(1);
    expect(placed.has(liq[0].key)).toBe(false);
    expect(liq[0]).toMatchObject({ side: 'sell', positionSide: 'long', remaining: 0 });
    expect(r.metrics.liquidations).toBe(1);
    expect(r.trades.filter((t) => t.reason === 'liquidation')).toHaveLength(1);
  });

  it('GRID treats it as a forced close: it stops, cancels everything at once and places no grid order afterwards', () => {
    const s = last as GridState;
    expect(s.status).toBe('stopped');
    expect(s.stopReason).toBe('liquidation');
    expect(s.metrics.liquidations).toBe(1);
    expect(s.metrics.unmanagedFills).toBe(0);
    expect(s.long.qty).toBe(0);
    const answer = answers.find((a) => a.fill === liq[0]);
    expect(answer?.intents.some((i) => i.action === 'cancel')).toBe(true);
    expect((answer?.intents ?? []).filter((i) => i.action === 'place').every((i) => (i as OrderIntent).tag === 'grid_close')).toBe(true);
    // nothing but a close of the other leg fills after the liquidation, and no order is rejected (no orphaned
    // reduce-only take-profits re-placed against a position that is gone)
    const after = fills.slice(fills.indexOf(liq[0]) + 1);
    expect(after.every((f) => f.tag === 'grid_close')).toBe(true);
    expect(r.metrics.rejectedOrders).toBe(0);
  });

  it("the grid's realised PnL (average cost, net of fees and the lost margin) equals the account's result; the ledger closes", () => {
    const tol = ledgerTolerance(r.initialBalance);
    expect(Math.abs(r.initialBalance + r.trades.reduce((a, t) => a + t.pnl, 0) - r.finalBalance)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.initialBalance + r.metrics.realizedPnl - r.metrics.feesPaid - r.finalBalance)).toBeLessThanOrEqual(tol);
    expect((last as GridState).metrics.realizedPnl).toBeCloseTo(r.finalBalance - r.initialBalance, 6);
    expect(r.finalBalance).toBeLessThan(r.initialBalance);
  });
});
