import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { ETH_5M_FILE, ETH_MARKET, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { placedIntents, simulate } from '../testing/simulate';

// Scenario: entry_option turn_inside (original "변곡") on ETH/USDT 5m, January 2021, direction both.
// §2.2: long when (prev < os || curr < os) && curr > prev; short when (prev > ob || curr > ob) && curr < prev.
// Entries are expired at once so every signal bar must produce exactly one entry (long checked first).
describe('scenario: turn_inside entries fire exactly where RSI turns inside the zone (ETH 5m)', () => {
  const candles = loadCandles(ETH_5M_FILE);
  const settings = scenarioSettings({ entry_option: '변곡', direction: 'both' });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
  const run = simulate({ strategy, state, candles, market: ETH_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null) });

  it('enters on exactly the bars the RSI(14) series says', () => {
    expect(settings.entry_option).toBe('turn_inside');
    const rsi = referenceRsi(
      candles.map((c) => c.close),
      14,
    );
    const expected: { i: number; side: string }[] = [];
    for (let i = 1; i < candles.length; i++) {
      const prev = rsi[i - 1];
      const curr = rsi[i];
      if (prev === null || curr === null) continue;
      if ((prev < 30 || curr < 30) && curr > prev) expected.push({ i, side: 'long' });
      else if ((prev > 70 || curr > 70) && curr < prev) expected.push({ i, side: 'short' });
    }
    expect(expected.filter((e) => e.side === 'long').length).toBeGreaterThan(10);
    expect(expected.filter((e) => e.side === 'short').length).toBeGreaterThan(10);
    const actual = placedIntents(run.events, 'entry').map((e) => ({ i: e.i, side: e.intent.positionSide }));
    expect(actual).toEqual(expected);
  });
});
