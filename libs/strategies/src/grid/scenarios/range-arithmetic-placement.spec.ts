import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h, floorTo } from '../testing/fixtures';

// Scenario: a long arithmetic range grid 40,000..45,000 in 10 grids on BTC/USDT spot, first candle of 2024.
describe('range grid, arithmetic spacing: first placement', () => {
  const settings = gridStrategy.parseSettings({
    mode: 'range',
    direction: 'long',
    lowerPrice: 40_000,
    upperPrice: 45_000,
    gridNum: 10,
    spacing: 'arithmetic',
    sizingMode: 'total_investment',
    investment: 1_000,
  });
  const candle = btc1h()[0]; // 2024-01-01 00:00 UTC, close 42,475.23
  const state = gridStrategy.init({ botId: 'bot1', settings, market: BTC_SPOT, timeframe: '1h' });
  const { intents } = gridStrategy.decide(state, candle, BTC_SPOT);

  it('places one limit buy at every level strictly below the close, and nothing else', () => {
    // Levels computed by hand: 40,000 + 500·j for j = 0..10; those below 42,475.23 are j = 0..4.
    const expected = [0, 1, 2, 3, 4].map((j) => {
      const price = 40_000 + 500 * j;
      // total investment 1,000 split over 10 grids = 100 USDT each; spot ignores leverage; floored to 0.00001
      return { key: `bot1:${candle.time}:open:${j}`, price, amount: floorTo(100 / price, 5) };
    });
    expect(candle.close).toBe(42475.23);
    expect(intents).toHaveLength(5);
    const got = (intents as OrderIntent[]).map((i) => ({ key: i.key, price: i.price, amount: i.amount }));
    expect(got).toEqual(expected);
    for (const i of intents as OrderIntent[]) {
      expect(i).toMatchObject({ action: 'place', type: 'limit', side: 'buy', positionSide: 'long', reduceOnly: false, tag: 'grid_open' });
    }
  });

  it('moves the placed levels to open_order and leaves the others idle', () => {
    const byJ = new Map(state.slots.map((s) => [s.j, s.st]));
    expect([...byJ.entries()]).toEqual([
      [0, 'open_order'], [1, 'open_order'], [2, 'open_order'], [3, 'open_order'], [4, 'open_order'],
      [5, 'idle'], [6, 'idle'], [7, 'idle'], [8, 'idle'], [9, 'idle'], [10, 'idle'],
    ]);
    expect(state.status).toBe('running');
  });

  it('re-deciding a candle it has already seen does nothing', () => {
    const again = gridStrategy.decide(state, candle, BTC_SPOT);
    expect(again.intents).toEqual([]);
  });
});
