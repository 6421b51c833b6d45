import { describe, expect, it } from 'vitest';
import type { Fill, OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h, floorTo } from '../testing/fixtures';
import { levelOfKey, placedInResponse } from '../testing/events';
import { simulate } from '../testing/simulate';

// Scenario: long arithmetic grid 40,000..45,000 / 10 grids over January 2024 (BTC ranged ~38.5k..48.9k).
describe('range grid: buy fill -> take-profit one level up -> re-arm on its fill', () => {
  const candles = btc1h().slice(0, 31 * 24);
  const settings = gridStrategy.parseSettings({ mode: 'range', direction: 'long', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000 });
  const sim = simulate(gridStrategy, { botId: 'b', settings, market: BTC_SPOT, timeframe: '1h' }, candles, { makerFee: 0.001 });
  const level = (j: number): number => 40_000 + 500 * j;
  const entries = sim.fills.filter((f) => f.tag === 'grid_open');
  const tps = sim.fills.filter((f) => f.tag === 'grid_tp');
  const followUps = (fill: Fill): OrderIntent[] => placedInResponse(sim.events, fill);
  const levelOf = levelOfKey;
  const rootOf = (key: string): string => key.split('>')[0];

  it('trades: the month produces entries and completed pairs', () => {
    expect(entries.length).toBeGreaterThan(10);
    expect(tps.length).toBeGreaterThan(5);
  });

  it('answers every entry fill with a reduce sell of the same amount one level up', () => {
    for (const f of entries) {
      const j = levelOf(f.key);
      const [tp, ...rest] = followUps(f);
      expect(rest).toEqual([]);
      // key: `${fill.key}>tp:j` for a decision order, `${root}>tp:j:${seq}` down a chain
      expect(tp.key.startsWith(f.key.includes('>') ? `${rootOf(f.key)}>tp:${j}:` : `${f.key}>tp:${j}`)).toBe(true);
      expect(tp).toEqual({
        action: 'place', key: tp.key, type: 'limit', side: 'sell', positionSide: 'long',
        amount: f.amount, price: level(j + 1), reduceOnly: false, tag: 'grid_tp',
      });
    }
  });

  it('re-arms the level with a new buy at its price when the take-profit fills', () => {
    for (const f of tps) {
      const j = levelOf(f.key);
      const [rearm] = followUps(f);
      expect(rearm.key).toMatch(new RegExp(`^${rootOf(f.key)}>rearm:${j}:\\d+$`));
      expect(rearm).toMatchObject({ side: 'buy', type: 'limit', price: level(j), amount: floorTo(100 / level(j), 5), tag: 'grid_open' });
    }
  });

  it('reports matched pairs and grid profit (net of both fees) computed from the fills', () => {
    let profit = 0;
    for (const tp of tps) {
      // the entry is the last entry fill at the same level before this take-profit
      const before = sim.fills.slice(0, sim.fills.indexOf(tp)).filter((f) => f.tag === 'grid_open' && levelOf(f.key) === levelOf(tp.key));
      const entry = before[before.length - 1];
      expect(entry).toBeDefined();
      profit += (tp.price - entry.price) * tp.amount - tp.fee - entry.fee;
    }
    expect(sim.state.metrics.matchedPairs).toBe(tps.length);
    expect(sim.state.metrics.gridProfit).toBeCloseTo(profit, 8);
    const held = entries.reduce((a, f) => a + f.amount, 0) - tps.reduce((a, f) => a + f.amount, 0);
    expect(sim.state.long.qty).toBeCloseTo(held, 10);
  });

  it('keeps each level legal: every filled entry level holds a take-profit or has completed', () => {
    for (const s of sim.state.slots) {
      if (s.st === 'closing_order') expect(s.closePrice).toBe(level(s.j + 1));
      if (s.st === 'open_order') expect(s.openPrice).toBe(level(s.j));
      expect(['idle', 'open_order', 'closing_order']).toContain(s.st);
    }
  });
});
