import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, type Fill, type GridState, type Intent, type MarketSpec, type OrderIntent, type Strategy } from '@tb/strategies';
import { ledgerTolerance, runBacktest } from '../backtest.runner';
import { parseCandleColumns } from '@tb/market';

/**
 * Scenario: a long range grid on the real BTC/USDT 1h candles of 2024 through the real matching engine.
 * Range 52,000..72,000 in 20 arithmetic grids (levels every 1,000 USDT), 9,000 USDT investment on spot
 * (450 USDT per level), maker 0.1% / taker 0.2%, slippage 0.05%. BTC spends March..November inside the range
 * and ends the year far above it, so the grid trades hundreds of pairs and ends flat.
 *
 * The GRID strategy runs unchanged inside a thin recorder that keeps what the engine told it (fills) and what
 * it asked for (place intents); every expectation below is rebuilt from those and the candles, not from the
 * grid's own bookkeeping, which is only compared against at the end.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });

const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 };
const LOWER = 52_000;
const STEP = 1_000;
const GRIDS = 20;
const MAKER = 0.001;
const TAKER = 0.002;
const INITIAL = 10_000;

interface Recorded {
  fills: Fill[];
  placed: Map<string, OrderIntent>;
  last: GridState | null;
}

function recorder(rec: Recorded): Strategy<unknown, GridState> {
  const keep = (intents: readonly Intent[]): void => {
    for (const i of intents) if (i.action === 'place') rec.placed.set(i.key, i);
  };
  const g = gridStrategy as unknown as Strategy<unknown, GridState>;
  return {
    name: g.name,
    parseSettings: (x) => g.parseSettings(x),
    init: (x) => g.init(x),
    decide(s, c, m) {
      const r = g.decide(s, c, m);
      keep(r.intents);
      rec.last = r.state;
      return r;
    },
    onFill(s, f) {
      rec.fills.push(f);
      const r = g.onFill(s, f);
      keep(r.intents);
      rec.last = r.state;
      return r;
    },
    onOrderClosed(s, e) {
      const r = g.onOrderClosed(s, e);
      keep(r.intents);
      rec.last = r.state;
      return r;
    },
  };
}

describe('scenario: range grid on real BTC 1h candles (2024) through the matching engine', () => {
  const rec: Recorded = { fills: [], placed: new Map(), last: null };
  const r = runBacktest({
    strategy: recorder(rec),
    settings: { mode: 'range', direction: 'long', lowerPrice: LOWER, upperPrice: LOWER + STEP * GRIDS, gridNum: GRIDS, investment: 9_000 },
    candles: cols,
    market: SPOT,
    timeframe: '1h',
    initialBalance: INITIAL,
    feeMaker: MAKER,
    feeTaker: TAKER,
    slippage: 0.0005,
  });

  /** Level index of a price on the independent ladder 52,000 + 1,000·k (throws off the ladder). */
  const levelOf = (price: number): number => {
    const k = (price - LOWER) / STEP;
    if (!Number.isInteger(k) || k < 0 || k > GRIDS) throw new Error(`${price} is not a grid level`);
    return k;
  };

  // Pair every take-profit sell with the open buy one level below it (per-level FIFO of open lots).
  const open = new Map<number, Fill[]>();
  const pairs: Array<{ buy: Fill; sell: Fill; level: number }> = [];
  const problems: string[] = [];
  for (const f of rec.fills) {
    const placed = rec.placed.get(f.key);
    if (!placed) problems.push(`fill of an order never placed: ${f.key}`);
    else if (placed.price !== f.price) problems.push(`${f.key} filled at ${f.price}, limit ${placed.price}`);
    if (f.side === 'buy') {
      if (f.tag !== 'grid_open') problems.push(`buy tagged ${f.tag}`);
      const k = levelOf(f.price);
      if (k >= GRIDS) problems.push(`buy at the top level ${f.price}`);
      open.set(k, [...(open.get(k) ?? []), f]);
    } else {
      if (f.tag !== 'grid_tp') problems.push(`sell tagged ${f.tag}`);
      const k = levelOf(f.price) - 1;
      const lot = open.get(k)?.shift();
      if (!lot) problems.push(`sell at ${f.price} with no open buy at ${LOWER + STEP * k}`);
      else pairs.push({ buy: lot, sell: f, level: k });
    }
  }
  const openLots = [...open.values()].flat();

  it('every fill is a resting grid limit filled at its level; every closing sell is one level above its buy', () => {
    expect(problems).toEqual([]);
    expect(pairs.length).toBeGreaterThanOrEqual(300);
    for (const p of pairs) {
      expect(p.sell.price - p.buy.price).toBe(STEP);
      expect(p.sell.amount).toBe(p.buy.amount);
      expect(p.sell.time).toBeGreaterThanOrEqual(p.buy.time);
      // 450 USDT per level, floored to the 0.00001 BTC step
      expect(p.buy.amount).toBe(Number((Math.floor((450 / p.buy.price) * 1e5 + 1e-9) / 1e5).toFixed(5)));
    }
    // the grid worked the whole range, not one level
    expect(new Set(pairs.map((p) => p.level)).size).toBeGreaterThanOrEqual(15);
  });

  it('grid profit = Σ per pair (sell − buy) × qty − both fees, with maker fees charged on every fill', () => {
    for (const f of rec.fills) expect(f.fee).toBeCloseTo(f.price * f.amount * MAKER, 9);
    const profit = pairs.reduce((a, p) => a + (p.sell.price - p.buy.price) * p.sell.amount - p.buy.fee - p.sell.fee, 0);
    const state = rec.last as GridState;
    expect(state.metrics.matchedPairs).toBe(pairs.length);
    expect(state.metrics.gridProfit).toBeCloseTo(profit, 6);
    expect(state.metrics.belowMinimums).toBe(0);
    expect(state.metrics.unmanagedFills).toBe(0);
    expect(r.metrics.rejectedOrders).toBe(0);
    expect(profit).toBeGreaterThan(0);
  });

  it('the ledger closes: cash replayed from the fills (plus the end-of-data close) is the final balance', () => {
    const lastClose = cols.close[cols.length - 1];
    let cash = INITIAL;
    for (const f of rec.fills) cash += (f.side === 'buy' ? -1 : 1) * f.price * f.amount - f.fee;
    const held = openLots.reduce((a, f) => a + f.amount, 0);
    cash += held * lastClose * (1 - TAKER);
    const tol = ledgerTolerance(INITIAL);
    expect(Math.abs(r.finalBalance - cash)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(r.initialBalance + r.trades.reduce((a, t) => a + t.pnl, 0) - r.finalBalance)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.initialBalance + r.metrics.realizedPnl - r.metrics.feesPaid - r.finalBalance)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.equityValue[r.equityValue.length - 1] - r.finalBalance)).toBeLessThanOrEqual(tol);
    // BTC closes 2024 far above the range: every lot was sold, the grid ends flat and its profit is the account's
    expect(held).toBe(0);
    expect(r.finalBalance - INITIAL).toBeCloseTo((rec.last as GridState).metrics.gridProfit, 6);
    for (const t of r.trades) expect(['grid_tp', 'end_of_data']).toContain(t.reason);
  });
});
