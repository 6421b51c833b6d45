import { describe, expect, it } from 'vitest';
import type { Fill, Intent, OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_PERP, btc1h, floorTo } from '../testing/fixtures';

// Scenario: the exchange (or the backtester's matching engine) liquidates the long leg of a neutral perp grid.
// The fill carries a key the grid never placed and tag 'liquidation'. Neutral grid 40,000..45,000 / 10 on the
// BTC perpetual, 1,000 USDT × 2 → 200 USDT per level; first close 42,475.23.
const settings = gridStrategy.parseSettings({ mode: 'range', direction: 'neutral', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000, leverage: 2 });
const c0 = btc1h()[0];
const c1 = btc1h()[1];

/** Keys of the orders still resting after a list of intents and fills (replayed independently). */
class Book {
  readonly resting = new Map<string, OrderIntent>();
  apply(intents: readonly Intent[]): void {
    for (const i of intents) {
      if (i.action === 'place') this.resting.set(i.key, i);
      else this.resting.delete(i.key);
    }
  }
  filled(key: string): void {
    this.resting.delete(key);
  }
}

function setUp() {
  const book = new Book();
  let state = gridStrategy.init({ botId: 'q', settings, market: BTC_PERP, timeframe: '1h' });
  const d0 = gridStrategy.decide(state, c0, BTC_PERP);
  state = d0.state;
  book.apply(d0.intents);
  const places = d0.intents as OrderIntent[];
  const buy = places.find((i) => i.price === 42_000) as OrderIntent;
  const sell = places.find((i) => i.price === 43_000) as OrderIntent;
  const t = c1.time + 60_000;
  const fBuy: Fill = { key: buy.key, side: 'buy', positionSide: 'long', amount: buy.amount, price: 42_000, fee: 0.04, time: t, tag: 'grid_open', remaining: 0 };
  const fSell: Fill = { key: sell.key, side: 'sell', positionSide: 'short', amount: sell.amount, price: 43_000, fee: 0.04, time: t, tag: 'grid_open', remaining: 0 };
  for (const f of [fBuy, fSell]) {
    book.filled(f.key);
    const r = gridStrategy.onFill(state, f);
    state = r.state;
    book.apply(r.intents);
  }
  return { state, book, buy, sell, t };
}

describe('a liquidation reaches the grid as a fill it never placed', () => {
  it('is a forced close: the leg is flat, every order is canceled, the other leg is closed, the grid stops', () => {
    const { state, book, buy, sell, t } = setUp();
    expect(buy.amount).toBe(floorTo(200 / 42_000, 3));
    expect(sell.amount).toBe(floorTo(200 / 43_000, 3));
    // both take-profits rest: long 42,000 → 42,500, short 43,000 → 42,500
    expect([...book.resting.values()].filter((i) => i.tag === 'grid_tp').map((i) => [i.side, i.price])).toEqual([
      ['sell', 42_500],
      ['buy', 42_500],
    ]);
    const before = new Set(book.resting.keys());
    const liqTime = t + 3_600_000;
    const liq: Fill = { key: `long:liquidation:${liqTime}`, side: 'sell', positionSide: 'long', amount: buy.amount, price: 21_105.5, fee: 0.9, time: liqTime, tag: 'liquidation', remaining: 0 };
    const r = gridStrategy.onFill(state, liq);

    const cancels = r.intents.filter((i) => i.action === 'cancel').map((i) => i.key);
    expect(new Set(cancels)).toEqual(before);
    expect(cancels).toHaveLength(before.size);
    const places = r.intents.filter((i) => i.action === 'place');
    expect(places).toEqual([
      { action: 'place', key: `q:${liqTime}:liquidation>close:1`, type: 'market', side: 'buy', positionSide: 'short', amount: sell.amount, reduceOnly: true, tag: 'grid_sl' },
    ]);
    const s = r.state;
    expect(s.status).toBe('stopped');
    expect(s.stopReason).toBe('liquidation');
    expect(s.long).toEqual({ qty: 0, avg: 0 });
    expect(s.metrics.liquidations).toBe(1);
    expect(s.metrics.unmanagedFills).toBe(0);
    expect(s.metrics.matchedPairs).toBe(0);
    expect(s.slots.every((x) => x.st === 'idle')).toBe(true);
    // realised: the long's price loss and every fee so far (two entries and the liquidation's lost margin)
    expect(s.metrics.realizedPnl).toBeCloseTo((21_105.5 - 42_000) * buy.amount - 0.04 - 0.04 - 0.9, 9);

    // the short close fills; afterwards the stopped grid is silent
    const closeFill: Fill = { key: places[0].key, side: 'buy', positionSide: 'short', amount: sell.amount, price: 21_200, fee: 0.05, time: liqTime, tag: 'grid_sl', remaining: 0 };
    const r2 = gridStrategy.onFill(s, closeFill);
    expect(r2.intents).toEqual([]);
    expect(r2.state.short).toEqual({ qty: 0, avg: 0 });
    expect(gridStrategy.decide(r2.state, { ...c1, time: c1.time + 2 * 3_600_000 }, BTC_PERP).intents).toEqual([]);
  });

  it('the engine then reports the take-profits it dropped: nothing more happens', () => {
    const { state, buy, t } = setUp();
    const liqTime = t + 3_600_000;
    const r = gridStrategy.onFill(state, { key: `long:liquidation:${liqTime}`, side: 'sell', positionSide: 'long', amount: buy.amount, price: 21_000, fee: 1, time: liqTime, tag: 'liquidation', remaining: 0 });
    const tpKey = `${buy.key}>tp:4`; // level 4 (42,000) keys its take-profit
    expect(r.intents.some((i) => i.action === 'cancel' && i.key === tpKey)).toBe(true);
    const r2 = gridStrategy.onOrderClosed(r.state, { key: tpKey, status: 'canceled', reason: 'position_closed', time: liqTime });
    expect(r2.intents).toEqual([]);
    expect(r2.state.slots.every((x) => x.st === 'idle')).toBe(true);
  });

  it('a fill of an unknown key with any other tag stays an unmanaged fill and does not stop the grid', () => {
    const { state } = setUp();
    const r = gridStrategy.onFill(state, { key: 'manual:1', side: 'sell', positionSide: 'long', amount: 0.001, price: 42_100, fee: 0.01, time: 9, tag: 'manual', remaining: 0 });
    expect(r.intents).toEqual([]);
    expect(r.state.status).toBe('running');
    expect(r.state.metrics.unmanagedFills).toBe(1);
    expect(r.state.metrics.liquidations).toBe(0);
  });
});
