import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_PERP, btc1h, indexAt } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: a short grid 41,000..44,000 (6 grids of 500) with trailing down, from 2024-01-19 into the drop
// to 38,555 on 2024-01-23 (mirror of trailing up: one interval below the bottom → cancel the highest sell).
describe('range grid: trailing down', () => {
  const all = btc1h();
  const candles = all.slice(indexAt(all, '2024-01-19T00:00:00Z'), indexAt(all, '2024-01-25T00:00:00Z'));
  const settings = gridStrategy.parseSettings({ mode: 'range', direction: 'short', lowerPrice: 41_000, upperPrice: 44_000, gridNum: 6, investment: 600, leverage: 2, trailingDown: true, trailingDownLimit: 39_500 });
  const sim = simulate(gridStrategy, { botId: 'dn', settings, market: BTC_PERP, timeframe: '1h' }, candles);

  it('first shifts at the first close ≤ 41,000 − 500 and sells at the old bottom', () => {
    const k = candles.findIndex((c) => c.close <= 40_500);
    expect(k).toBeGreaterThan(0);
    const atK = sim.events.filter((e) => e.at === k && e.source === 'decide' && 'intent' in e).map((e) => ('intent' in e ? e.intent : null));
    const cancels = atK.filter((i) => i?.action === 'cancel');
    expect(cancels.length).toBe(Math.min(Math.floor((41_000 - candles[k].close) / 500), 3));
    expect(cancels.every((i) => i?.action === 'cancel' && i.reason === 'trailing_down')).toBe(true);
    const sell0 = atK.find((i) => i?.action === 'place' && i.key === `dn:${candles[k].time}:open:0`) as OrderIntent;
    expect(sell0).toMatchObject({ side: 'sell', positionSide: 'short', price: 41_000 });
  });

  it('stops at the trailing-down limit: the bottom never goes below 39,500', () => {
    // a close ≤ 39,000 would shift the bottom to 39,000 without the limit
    expect(Math.min(...candles.map((c) => c.close))).toBeLessThan(39_000);
    expect(sim.state.base).toBe(-3); // 41,000 − 3 × 500 = 39,500
    expect(sim.state.metrics.trailingShifts).toBe(3);
  });
});
