import { describe, expect, it } from 'vitest';
import type { CancelIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: custom_stop — minutes of candle time without a new entry close everything and stop the grid.
describe('time stop (custom_stop)', () => {
  it('with no entry at all, stops at the first candle whose close is customStop minutes after the first close', () => {
    // levels 10,000..20,000 sit far below BTC at 42k: the buys rest and never fill
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 10_000, upperPrice: 20_000, gridNum: 10, investment: 1_000, customStopMinutes: 180 });
    const candles = btc1h().slice(0, 10);
    const sim = simulate(gridStrategy, { botId: 't', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    // first close = t0 + 1h; 180 min later = close of candle 3 (t0 + 4h)
    const byCandle = (k: number) => sim.events.filter((e) => e.at === k && 'intent' in e && e.source === 'decide');
    expect(byCandle(0)).toHaveLength(10);
    expect(byCandle(1)).toHaveLength(0);
    expect(byCandle(2)).toHaveLength(0);
    const stop = byCandle(3).map((e) => ('intent' in e ? e.intent : null)) as CancelIntent[];
    expect(stop.map((i) => i.action)).toEqual(Array(10).fill('cancel'));
    expect(stop.map((i) => i.key).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((j) => `t:${candles[0].time}:open:${j}`).sort());
    expect(sim.state.status).toBe('stopped');
    expect(sim.state.stopReason).toBe('time_stop');
    for (let k = 4; k < 10; k++) expect(byCandle(k)).toHaveLength(0);
    expect(sim.book).toEqual([]);
  });

  it('each entry fill restarts the clock; the stop market-closes what is held', () => {
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000, customStopMinutes: 600 });
    const candles = btc1h().slice(0, 24 * 20);
    const sim = simulate(gridStrategy, { botId: 't', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    const stopEv = sim.events.find((e) => 'intent' in e && e.intent.action === 'place' && e.intent.tag === 'time_stop');
    expect(stopEv).toBeDefined();
    const k = (stopEv as { at: number }).at;
    // independent: the last entry fill before candle k, and no earlier candle satisfied the rule
    const entryTimes = sim.fills.filter((f) => f.tag === 'grid_open').map((f) => f.time);
    const hour = 3_600_000;
    const lastEntryBefore = (kk: number): number => {
      const ts = entryTimes.filter((t) => t <= candles[kk].time);
      return ts.length ? ts[ts.length - 1] : candles[0].time + hour;
    };
    expect(candles[k].time + hour - lastEntryBefore(k)).toBeGreaterThanOrEqual(600 * 60_000);
    for (let kk = 1; kk < k; kk++) expect(candles[kk].time + hour - lastEntryBefore(kk)).toBeLessThan(600 * 60_000);
    expect(sim.state.stopReason).toBe('time_stop');
    expect(sim.state.long.qty).toBe(0);
  });
});
