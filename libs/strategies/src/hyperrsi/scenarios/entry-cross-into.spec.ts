import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { placedIntents, simulate } from '../testing/simulate';

// Scenario: entry_option cross_into (original "돌파", the default) on BTC/USDT 1h 2024, direction both.
// Every entry order is expired at once, so the strategy stays flat and every signal bar must produce one.
// §2.2: long when prev > oversold && curr <= oversold; short when prev < overbought && curr >= overbought.
describe('scenario: cross_into entries fire exactly on the RSI crossings (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({ entry_option: '돌파', direction: '롱숏' });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'bot-1', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'expired' : null) });
  const entries = placedIntents(run.events, 'entry');

  it('normalises the Korean aliases', () => {
    expect(settings.entry_option).toBe('cross_into');
    expect(settings.direction).toBe('both');
  });

  it('enters on exactly the bars the RSI(14) series says', () => {
    const rsi = referenceRsi(
      candles.map((c) => c.close),
      14,
    );
    const expected: { i: number; side: string }[] = [];
    for (let i = 1; i < candles.length; i++) {
      const prev = rsi[i - 1];
      const curr = rsi[i];
      if (prev === null || curr === null) continue;
      if (prev > 30 && curr <= 30) expected.push({ i, side: 'long' });
      else if (prev < 70 && curr >= 70) expected.push({ i, side: 'short' });
    }
    expect(expected.length).toBeGreaterThan(40);
    expect(expected.some((e) => e.side === 'long')).toBe(true);
    expect(expected.some((e) => e.side === 'short')).toBe(true);
    expect(entries.map((e) => ({ i: e.i, side: e.intent.positionSide }))).toEqual(expected);
  });

  it('sizes each entry as investment x leverage / close, floored to the amount step, as a market order', () => {
    for (const e of entries) {
      const c = candles[e.i];
      expect(e.intent).toMatchObject({
        action: 'place',
        type: 'market',
        side: e.intent.positionSide === 'long' ? 'buy' : 'sell',
        reduceOnly: false,
        amount: floorTo((20 * 10) / c.close, 0.001),
      });
    }
  });

  it('keys each entry deterministically as botId:candleTime:entry:0', () => {
    for (const e of entries) expect(e.intent.key).toBe(`bot-1:${candles[e.i].time}:entry:0`);
  });
});
