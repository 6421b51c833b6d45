import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h, floorTo, indexAt } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: a long grid 41,000..44,000 (6 grids of 500) from 2024-02-01 with trailing up, into the February
// rally (BTC 42k → 52k). Bybit rule: once price is one interval above the top, cancel the lowest buy and
// shift the range up one grid.
describe('range grid: trailing up', () => {
  const all = btc1h();
  const candles = all.slice(indexAt(all, '2024-02-01T00:00:00Z'), indexAt(all, '2024-02-16T00:00:00Z'));
  const base = { mode: 'range', direction: 'long', lowerPrice: 41_000, upperPrice: 44_000, gridNum: 6, investment: 600, trailingUp: true };

  it('shifts exactly when a close reaches top + one interval, cancelling the lowest buy and buying at the old top', () => {
    const settings = gridStrategy.parseSettings(base);
    const sim = simulate(gridStrategy, { botId: 'u', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    // independent: first candle whose close ≥ 44,000 + 500
    const k = candles.findIndex((c) => c.close >= 44_500);
    expect(k).toBeGreaterThan(0);
    const decided = (kk: number) => sim.events.filter((e) => e.at === kk && e.source === 'decide' && 'intent' in e).map((e) => ('intent' in e ? e.intent : null));
    for (let kk = 1; kk < k; kk++) expect(decided(kk).some((i) => i?.action === 'cancel')).toBe(false);
    const atK = decided(k);
    // shifts this candle: every m ≥ 1 with close ≥ 44,000 + 500·m
    const shifts = Math.floor((candles[k].close - 44_000) / 500);
    const cancels = atK.filter((i) => i?.action === 'cancel');
    expect(cancels).toHaveLength(shifts);
    expect(cancels[0]).toMatchObject({ key: `u:${candles[0].time}:open:0`, reason: 'trailing_up' });
    // the old top (44,000, level 6) gets a buy in the same decision
    const buy6 = atK.find((i) => i?.action === 'place' && i.key === `u:${candles[k].time}:open:6`) as OrderIntent;
    expect(buy6).toMatchObject({ side: 'buy', price: 44_000, amount: floorTo(100 / 44_000, 5) });
  });

  it('never trails the top above trailingUpLimit', () => {
    const settings = gridStrategy.parseSettings({ ...base, trailingUpLimit: 46_000 });
    const sim = simulate(gridStrategy, { botId: 'u', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    // 44,000 → 46,000 is 4 shifts of 500; BTC closed above 46,500 in the window, so the limit binds
    expect(Math.max(...candles.map((c) => c.close))).toBeGreaterThan(46_500);
    expect(sim.state.base).toBe(4);
    expect(sim.state.metrics.trailingShifts).toBe(4);
    const window = sim.state.slots.filter((s) => s.j >= 4 && s.j <= 10).map((s) => s.j);
    expect(window).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const resting = sim.book.filter((o) => o.intent.tag === 'grid_open').map((o) => o.intent.price as number);
    expect(Math.max(...resting)).toBeLessThanOrEqual(45_500);
    expect(Math.min(...resting)).toBeGreaterThanOrEqual(43_000);
  });
});
