import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_PERP, btc1h } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: neutral grid 40,000..45,000 / 10 on the BTC perpetual with maxOpenOrders 3 (hummingbot).
describe('maxOpenOrders: only the levels nearest the price carry orders', () => {
  const settings = gridStrategy.parseSettings({ mode: 'range', direction: 'neutral', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000, leverage: 2, maxOpenOrders: 3 });
  const init = { botId: 'm', settings, market: BTC_PERP, timeframe: '1h' as const };

  it('first decision: the 3 nearest levels to 42,475.23 — 42,500 (sell), 42,000 (buy), 43,000 (sell)', () => {
    const c = btc1h()[0];
    const state = gridStrategy.init(init);
    const intents = gridStrategy.decide(state, c, BTC_PERP).intents as OrderIntent[];
    expect(intents.map((i) => [i.side, i.price])).toEqual([['sell', 42_500], ['buy', 42_000], ['sell', 43_000]]);
  });

  it('never has more than 3 live orders during January, and entries stay nearest the close', () => {
    const candles = btc1h().slice(0, 24 * 31);
    let worst = 0;
    const sim = simulate(gridStrategy, init, candles, {
      afterDecide: (_k, c, s) => {
        const live = s.slots.filter((x) => x.st === 'open_order' || x.st === 'closing_order');
        worst = Math.max(worst, live.length);
        const entries = s.slots.filter((x) => x.st === 'open_order');
        const closing = live.length - entries.length;
        if (closing === 0 && entries.length === 3) {
          // the 3 live entries are the 3 nearest eligible levels (ties: lower level first)
          const levels = [...Array(11).keys()].map((j) => ({ j, p: 40_000 + 500 * j }))
            .filter(({ j, p }) => (p < c.close && j < 10) || (p > c.close && j > 0))
            .sort((a, b) => Math.abs(a.p - c.close) - Math.abs(b.p - c.close) || a.j - b.j)
            .slice(0, 3).map((x) => x.j).sort((a, b) => a - b);
          expect(entries.map((x) => x.j).sort((a, b) => a - b)).toEqual(levels);
        }
      },
    });
    expect(worst).toBe(3);
    expect(sim.fills.length).toBeGreaterThan(5);
    expect(sim.intents.some((i) => i.action === 'cancel' && i.reason === 'max_open_orders')).toBe(true);
  });
});
