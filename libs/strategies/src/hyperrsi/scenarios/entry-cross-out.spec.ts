import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { placedIntents, simulate } from '../testing/simulate';

// Scenario: entry_option cross_out (original "변곡돌파") with rsi_length 9 on BTC/USDT 1h 2024 — the
// original ignored rsi_length live; here it must drive the signal. Long only.
// §2.2: long when curr >= os && prev < os.
describe('scenario: cross_out entries with rsi_length 9 (BTC 1h, long only)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({ entry_option: 'cross_out', direction: 'long', rsi_length: 9, rsi_oversold: 25 });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null) });
  const actual = placedIntents(run.events, 'entry').map((e) => e.i);
  const closes = candles.map((c) => c.close);

  const crossOutBars = (rsi: (number | null)[]): number[] => {
    const out: number[] = [];
    for (let i = 1; i < rsi.length; i++) {
      const prev = rsi[i - 1];
      const curr = rsi[i];
      if (prev !== null && curr !== null && curr >= 25 && prev < 25) out.push(i);
    }
    return out;
  };

  it('enters long on exactly the bars where RSI(9) crosses back above 25', () => {
    const expected = crossOutBars(referenceRsi(closes, 9));
    expect(expected.length).toBeGreaterThan(20);
    expect(actual).toEqual(expected);
  });

  it('uses rsi_length: the RSI(14) crossings are a different set of bars', () => {
    expect(crossOutBars(referenceRsi(closes, 14))).not.toEqual(actual);
  });

  it('never places a short with direction long', () => {
    expect(placedIntents(run.events).every((e) => e.intent.positionSide === 'long')).toBe(true);
  });
});
