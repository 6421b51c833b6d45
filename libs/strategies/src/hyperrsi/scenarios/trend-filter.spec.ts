import { describe, expect, it } from 'vitest';
import type { TrendValue } from '../hyperrsi.state';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, referenceRsi, scenarioSettings, scriptedTrend } from '../testing/reference';
import { placedIntents, simulate } from '../testing/simulate';

// Scenario: the trend filter (use_trend_logic, §2.3) on BTC 1h 2024 with trend_state injected through the
// strategy's trend-source seam: a long is blocked only at -2, a short only at +2; 0 allows both; while
// the trend is still warming up (null) nothing is entered. Entries are expired at once (stay flat).
describe('scenario: trend filter blocks longs at -2 and shorts at +2 (BTC 1h, injected trend)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const t0 = candles[0].time;
  const trendAt = (i: number): TrendValue | null => (i < 150 ? null : ([-2, 0, 2] as const)[Math.floor(i / 400) % 3]);
  const settings = scenarioSettings({ entry_option: 'cross_into', direction: 'both', use_trend_logic: true });
  const strategy = createHyperrsiStrategy({ trend: scriptedTrend((time) => trendAt((time - t0) / 3_600_000)) });
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null) });

  it('enters exactly on the signals the trend allows', () => {
    const rsi = referenceRsi(
      candles.map((c) => c.close),
      14,
    );
    const expected: string[] = [];
    const blocked: string[] = [];
    for (let i = 1; i < candles.length; i++) {
      const prev = rsi[i - 1];
      const curr = rsi[i];
      if (prev === null || curr === null) continue;
      const t = trendAt(i);
      const long = prev > 30 && curr <= 30;
      const short = prev < 70 && curr >= 70;
      if (long && t !== null && t !== -2) expected.push(`${i}:long`);
      else if (short && t !== null && t !== 2) expected.push(`${i}:short`);
      else if (long || short) blocked.push(`${i}:${t}`);
    }
    expect(blocked.some((b) => b.endsWith(':-2'))).toBe(true);
    expect(blocked.some((b) => b.endsWith(':2'))).toBe(true);
    expect(expected.some((e) => e.endsWith('long'))).toBe(true);
    expect(expected.some((e) => e.endsWith('short'))).toBe(true);
    expect(placedIntents(run.events, 'entry').map((e) => `${e.i}:${e.intent.positionSide}`)).toEqual(expected);
  });

  it('ignores the trend when use_trend_logic is off', () => {
    const s2 = scenarioSettings({ entry_option: 'cross_into', direction: 'both', use_trend_logic: false });
    const st2 = strategy.init({ botId: 'b', settings: s2, market: BTC_MARKET, timeframe: '1h' });
    const run2 = simulate({ strategy, state: st2, candles, market: BTC_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null) });
    expect(placedIntents(run2.events, 'entry').length).toBeGreaterThan(placedIntents(run.events, 'entry').length);
  });

  it('with the real trend_state calculator, never enters long at -2 or short at +2', () => {
    const s3 = parseDefaultsWithTrend();
    const real = createHyperrsiStrategy();
    const st3 = real.init({ botId: 'b', settings: s3, market: BTC_MARKET, timeframe: '1h' });
    const trendByBar: (number | null)[] = [];
    const run3 = simulate({
      strategy: real,
      state: st3,
      candles,
      market: BTC_MARKET,
      closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null),
      afterDecide: (i, r) => {
        trendByBar[i] = r.state.trendState;
      },
    });
    const seen = new Set(trendByBar);
    expect(seen.has(2) && seen.has(-2) && seen.has(0)).toBe(true);
    const entries = placedIntents(run3.events, 'entry');
    expect(entries.length).toBeGreaterThan(10);
    for (const e of entries) {
      const t = trendByBar[e.i];
      expect(t).not.toBeNull();
      expect(t).not.toBe(e.intent.positionSide === 'long' ? -2 : 2);
    }
  });

  function parseDefaultsWithTrend() {
    return scenarioSettings({ entry_option: 'cross_into', direction: 'both', use_trend_logic: true });
  }
});
