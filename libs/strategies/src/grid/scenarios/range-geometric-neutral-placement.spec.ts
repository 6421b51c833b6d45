import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_PERP, btc1h, floorTo, round } from '../testing/fixtures';

// Scenario: a neutral geometric grid 38,000..48,000 in 8 grids on the BTC perpetual, 5× leverage.
describe('range grid, geometric spacing, neutral: first placement', () => {
  const settings = gridStrategy.parseSettings({
    mode: 'range',
    direction: 'long-short', // the original's spelling of neutral
    lowerPrice: 38_000,
    upperPrice: 48_000,
    gridNum: 8,
    spacing: 'geometric',
    investment: 1_000,
    leverage: 5,
  });
  const candle = btc1h()[0]; // close 42,475.23
  const state = gridStrategy.init({ botId: 'g', settings, market: BTC_PERP, timeframe: '1h' });
  const intents = gridStrategy.decide(state, candle, BTC_PERP).intents as OrderIntent[];

  // Levels by hand: 38,000·(48/38)^(j/8), rounded to the 0.1 tick.
  const level = (j: number): number => round(38_000 * Math.pow(48_000 / 38_000, j / 8), 1);

  it('computes geometric levels (equal ratios) and places buys below / sells above the close', () => {
    const ratio = Math.pow(48 / 38, 1 / 8);
    expect(level(1) / level(0)).toBeCloseTo(ratio, 5);
    const expected: { key: string; side: string; positionSide: string; price: number; amount: number }[] = [];
    for (let j = 0; j <= 8; j++) {
      const p = level(j);
      // 1,000 × 5 leverage / 8 grids = 625 USDT per order, floored to the 0.001 amount step
      const amount = floorTo(625 / p, 3);
      if (p < candle.close && j < 8) expected.push({ key: `g:${candle.time}:open:${j}`, side: 'buy', positionSide: 'long', price: p, amount });
      else if (p > candle.close && j > 0) expected.push({ key: `g:${candle.time}:open:${j}`, side: 'sell', positionSide: 'short', price: p, amount });
    }
    expect(expected.filter((e) => e.side === 'buy')).toHaveLength(4);
    expect(expected.filter((e) => e.side === 'sell')).toHaveLength(5);
    expect(intents.map((i) => ({ key: i.key, side: i.side, positionSide: i.positionSide, price: i.price, amount: i.amount }))).toEqual(expected);
    expect(intents.every((i) => i.type === 'limit' && !i.reduceOnly)).toBe(true);
  });

  it('refuses a short or neutral grid on a spot market', () => {
    expect(() => gridStrategy.init({ botId: 'g', settings, market: { ...BTC_PERP, type: 'spot' }, timeframe: '1h' })).toThrow(/perpetual/);
  });
});
