import { describe, expect, it } from 'vitest';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: a grid that waits for price to touch 41,000 (BTC first traded there on 2024-01-03).
describe('range grid: trigger price', () => {
  it('places nothing until a candle (or the gap from the previous close) touches the trigger', () => {
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 38_000, upperPrice: 44_000, gridNum: 12, investment: 1_200, triggerPrice: 41_000 });
    const candles = btc1h().slice(0, 24 * 5);
    const sim = simulate(gridStrategy, { botId: 'tr', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    const k = candles.findIndex((c, i) => Math.min(c.low, i > 0 ? candles[i - 1].close : c.low) <= 41_000 && 41_000 <= Math.max(c.high, i > 0 ? candles[i - 1].close : c.high));
    expect(k).toBeGreaterThan(10);
    const first = sim.events.find((e) => e.source === 'decide');
    expect(first?.at).toBe(k);
    // all levels below the close at k get a buy
    const below = [...Array(12).keys()].filter((j) => 38_000 + 500 * j < candles[k].close).length;
    expect(sim.events.filter((e) => e.at === k && e.source === 'decide')).toHaveLength(below);
  });
});
