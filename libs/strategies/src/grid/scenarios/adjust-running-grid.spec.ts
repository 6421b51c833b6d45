import { describe, expect, it } from 'vitest';
import type { Intent, MarketSpec } from '../../core/contract';
import { StrategySettingsError } from '../../core/contract';
import { gridStrategy, type GridState } from '../grid.strategy';
import { BTC_PERP, btc1h } from '../testing/fixtures';

/*
 * Scenario: adjusting a running neutral range grid 100..200 / 10 grids (step 10), 50 USDT per grid, on a perpetual
 * (tick 0.01, amount step 0.001). The close is 155, so levels 100..150 (j 0..5) rest as buys and 160..200 (j 6..10)
 * as sells: 11 entries. Then the level j 5 buy (150) fills: its take-profit (a sell at 160) rests.
 *
 *   A. upper 250, 15 grids: the step stays 10, so levels 0..10 keep their price and amount → 0 cancels; the next
 *      candle places only the 5 new levels 210..250 (j 11..15) as sells.
 *   B. direction long: the 10 resting sells (j 6..15) go; the 5 buys and the take-profit stay; the next candle places
 *      nothing.
 *   C. 60 USDT per grid: every resting buy changes amount (50/p → 60/p): 5 cancels, 5 places at the next candle;
 *      the take-profit of the held level stays.
 */
const MARKET: MarketSpec = { symbol: 'TEST/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const H = 3_600_000;
const candle = (i: number, close = 155) => ({ time: i * H, open: close, high: close + 1, low: close - 1, close, volume: 1 });
const base = { mode: 'range', direction: 'neutral', lowerPrice: 100, upperPrice: 200, gridNum: 10, sizingMode: 'quote_per_grid', quotePerGrid: 50, leverage: 1 };

const places = (xs: readonly Intent[]) => xs.filter((i) => i.action === 'place');
const cancels = (xs: readonly Intent[]) => xs.filter((i) => i.action === 'cancel');
const levelOf = (key: string) => Number(/(?:open|tp|rearm):(\d+)/.exec(key.split('>').pop()!)![1]);

describe('GRID adjust: a settings change on a running grid cancels and re-places only what changed', () => {
  let state: GridState = gridStrategy.init({ botId: 'b', settings: gridStrategy.parseSettings(base), market: MARKET, timeframe: '1h' });
  let r = gridStrategy.decide(state, candle(0), MARKET);
  state = r.state;
  const first = places(r.intents);
  const buy150 = first.find((i) => i.action === 'place' && i.key.endsWith(':open:5'))!;
  r = gridStrategy.onFill(state, { key: buy150.key, side: 'buy', positionSide: 'long', amount: 0.333, price: 150, fee: 0, time: 30 * 60_000, tag: 'grid_open', remaining: 0 });
  state = r.state;
  const tp = places(r.intents)[0];
  const adjust = (patch: Record<string, unknown>) => {
    const out = gridStrategy.onSettings!(state, gridStrategy.parseSettings({ ...state.settings, ...patch }));
    state = out.state;
    return out.intents;
  };
  let t = 1;
  const nextCandle = () => {
    const out = gridStrategy.decide(state, candle(t++), MARKET);
    state = out.state;
    return out.intents;
  };

  it('the running grid: 11 entries, then a take-profit for the filled level', () => {
    expect(first.map((i) => [levelOf(i.key), i.action === 'place' && i.side, i.action === 'place' && i.price])).toEqual([
      [0, 'buy', 100], [1, 'buy', 110], [2, 'buy', 120], [3, 'buy', 130], [4, 'buy', 140], [5, 'buy', 150],
      [6, 'sell', 160], [7, 'sell', 170], [8, 'sell', 180], [9, 'sell', 190], [10, 'sell', 200],
    ]);
    expect(tp).toMatchObject({ action: 'place', side: 'sell', price: 160, amount: 0.333, tag: 'grid_tp' });
    expect(nextCandle()).toEqual([]); // nothing to do while nothing changes
  });

  it('A: a wider range with the same step: 0 cancels, the next candle places only the 5 new levels', () => {
    expect(adjust({ upperPrice: 250, gridNum: 15 })).toEqual([]);
    const placed = places(nextCandle());
    expect(placed.map((i) => [levelOf(i.key), i.action === 'place' && i.side, i.action === 'place' && i.price])).toEqual([
      [11, 'sell', 210], [12, 'sell', 220], [13, 'sell', 230], [14, 'sell', 240], [15, 'sell', 250],
    ]);
    expect(state.slots.map((s) => s.j)).toEqual([...Array(16).keys()]);
  });

  it('B: long only: the 10 resting sells are cancelled, the buys and the take-profit stay, nothing is placed', () => {
    const out = adjust({ direction: 'long' });
    expect(places(out)).toEqual([]);
    expect(cancels(out).map((c) => levelOf(c.key))).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(cancels(out).some((c) => c.key === tp.key)).toBe(false);
    expect(nextCandle()).toEqual([]);
  });

  it('C: 60 USDT per grid: the 5 resting buys are cancelled and re-placed with the new amount; the take-profit stays', () => {
    const out = adjust({ quotePerGrid: 60 });
    expect(cancels(out).map((c) => levelOf(c.key))).toEqual([0, 1, 2, 3, 4]);
    const placed = places(nextCandle());
    // 60 / 100 = 0.6, 60 / 110 = 0.5454… → 0.545, 60 / 120 = 0.5, 60 / 130 = 0.4615… → 0.461, 60 / 140 = 0.4285… → 0.428
    expect(placed.map((i) => i.action === 'place' && [levelOf(i.key), i.price, i.amount])).toEqual([
      [0, 100, 0.6], [1, 110, 0.545], [2, 120, 0.5], [3, 130, 0.461], [4, 140, 0.428],
    ]);
    // new keys (the candle's), never the cancelled orders' keys again
    expect(placed.every((i) => !first.some((f) => f.key === i.key))).toBe(true);
    expect(state.slots.find((s) => s.j === 5)).toMatchObject({ st: 'closing_order', closeKey: tp.key });
  });

  it('refused: another mode, a short grid on spot, levels that collapse at the tick size', () => {
    expect(() => adjust({ mode: 'adaptive' })).toThrow(StrategySettingsError);
    const spot = gridStrategy.init({ botId: 's', settings: gridStrategy.parseSettings({ ...base, direction: 'long' }), market: { ...MARKET, type: 'spot', symbol: 'TEST/USDT' }, timeframe: '1h' });
    expect(() => gridStrategy.onSettings!(spot, gridStrategy.parseSettings({ ...base, direction: 'short' }))).toThrow(/perpetual/);
    // tick 5: 40 grids of 2.5 between 100 and 200 round onto each other
    const coarse = gridStrategy.init({ botId: 'c', settings: gridStrategy.parseSettings(base), market: { ...MARKET, tickSize: 5 }, timeframe: '1h' });
    expect(() => gridStrategy.onSettings!(coarse, gridStrategy.parseSettings({ ...base, gridNum: 40 }))).toThrow(/collapse/);
  });
});

/*
 * Adaptive mode (the original's grid): the levels follow the indicators, so only the amount, the count and the
 * direction are compared. Fewer levels: the resting entries of the levels that go are cancelled, the others stay;
 * more per level: every resting entry changes its amount and is cancelled.
 */
describe('GRID adjust: an adaptive grid', () => {
  const candles = btc1h().slice(0, 400);
  // 150 USDT per level: a level's amount does not depend on the count (with total_investment it would: investment / count)
  const settings = gridStrategy.parseSettings({ mode: 'adaptive', direction: 'long', gridNum: 20, sizingMode: 'quote_per_grid', quotePerGrid: 150, investment: 3_000 });
  let state: GridState = gridStrategy.init({ botId: 'a', settings, market: BTC_PERP, timeframe: '1h' });
  for (const c of candles) state = gridStrategy.decide(state, c, BTC_PERP).state; // no fill: entries rest or move
  const open = () => state.slots.filter((s) => s.st === 'open_order');

  it('fewer levels: only the entries of the levels that go are cancelled', () => {
    const before = open().map((s) => s.j);
    expect(before.length).toBeGreaterThan(1);
    const keepUpTo = before[0]; // keep the lowest armed level, drop the levels above it
    const out = gridStrategy.onSettings!(state, gridStrategy.parseSettings({ ...state.settings, gridNum: keepUpTo }));
    state = out.state;
    expect(places(out.intents)).toEqual([]);
    expect(cancels(out.intents).map((c) => state.retired.find((r) => r.key === c.key)!.j).sort((a, b) => a - b)).toEqual(before.filter((j) => j > keepUpTo));
    expect(open().map((s) => s.j)).toEqual([keepUpTo]);
    expect(Math.max(...state.slots.map((s) => s.j))).toBe(keepUpTo);
  });

  it('more per level: the resting entry is cancelled (its amount changes)', () => {
    const out = gridStrategy.onSettings!(state, gridStrategy.parseSettings({ ...state.settings, quotePerGrid: 300 }));
    state = out.state;
    expect(cancels(out.intents)).toHaveLength(1);
    expect(open()).toEqual([]);
  });
});
