import { describe, expect, it } from 'vitest';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h } from '../testing/fixtures';

// Scenario: the original default capital (10 USDT over 20 levels) is under Binance's 5 USDT minimum notional.
describe('orders under the market minimums are not placed', () => {
  it('places nothing and records why on each level', () => {
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 10 });
    const state = gridStrategy.init({ botId: 'z', settings, market: BTC_SPOT, timeframe: '1h' });
    const { intents } = gridStrategy.decide(state, btc1h()[0], BTC_SPOT);
    // 1 USDT per grid < 5 USDT minNotional
    expect(intents).toEqual([]);
    expect(state.slots.filter((s) => s.note === 'below_minimums').map((s) => s.j)).toEqual([0, 1, 2, 3, 4]);
    expect(state.metrics.belowMinimums).toBe(5);
    // next close 42,613.56 also brings level 5 (42,500) below the price: 6 distinct levels, each counted once
    expect(btc1h()[1].close).toBe(42613.56);
    gridStrategy.decide(state, btc1h()[1], BTC_SPOT);
    gridStrategy.decide(state, btc1h()[2], BTC_SPOT);
    const distinct = new Set([0, 1, 2].flatMap((k) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((j) => 40_000 + 500 * j < btc1h()[k].close)));
    expect(state.metrics.belowMinimums).toBe(distinct.size);
  });

  it('base_per_grid under minAmount is refused the same way', () => {
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, sizingMode: 'base_per_grid', basePerGrid: 0.000004 });
    const state = gridStrategy.init({ botId: 'z', settings, market: { ...BTC_SPOT, minNotional: 0 }, timeframe: '1h' });
    expect(gridStrategy.decide(state, btc1h()[0], { ...BTC_SPOT, minNotional: 0 }).intents).toEqual([]);
  });
});
