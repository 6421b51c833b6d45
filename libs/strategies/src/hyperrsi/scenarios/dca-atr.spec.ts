import { describe, expect, it } from 'vitest';
import { dcaLevels, effectiveAtr } from '../hyperrsi.math';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { dcaOracle } from '../testing/dca-oracle';
import { ETH_5M_FILE, ETH_MARKET, floorTo, loadCandles, referenceAtr, referenceRsi, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: DCA by ATR multiple (original "ATR 기준") from the average, ETH 5m January 2021, long only,
// in_zone entries, 2 x ATR(14) steps (ATR floored at 0.1% of price), multiplier 1.2, pyramiding_limit 5,
// WITH the RSI gate (use_rsi_with_pyramiding): an add also needs RSI < 30.
describe('scenario: ATR DCA with the RSI gate (ETH 5m)', () => {
  const candles = loadCandles(ETH_5M_FILE);
  const atr = referenceAtr(candles, 14);
  const rsi = referenceRsi(
    candles.map((c) => c.close),
    14,
  );
  const settings = scenarioSettings({
    direction: 'long',
    entry_option: 'in_zone',
    pyramiding_entry_type: 'ATR 기준',
    pyramiding_value: 2,
    entry_criterion: 'average',
    entry_multiplier: 1.2,
    pyramiding_limit: 5,
    use_rsi_with_pyramiding: true,
    tp1_value: 3,
    tp2_value: 4,
    tp3_value: 5,
  });
  const oracle = dcaOracle(candles, {
    pyramidingLimit: 5,
    level: (i, avg) => avg - Math.max(atr[i], candles[i].close * 0.001) * 2,
    gate: (i) => rsi[i] !== null && rsi[i]! < 30,
    amount: (i, entries) => floorTo((20 * 1.2 ** entries * 10) / candles[i].close, 0.01),
  });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
  simulate({ strategy, state, candles, market: ETH_MARKET, afterDecide: (i, r, ev) => oracle.afterDecide(i, r.intents, ev) });
  const obs = oracle.result();

  it('chains levels by ATR: L_i = L_(i-1) -/+ atr x v, with atr = max(atr14, price x 0.001)', () => {
    expect(effectiveAtr(5, 1000)).toBe(5);
    expect(effectiveAtr(0.5, 1000)).toBe(1);
    expect(effectiveAtr(null, 1000)).toBe(1);
    expect(dcaLevels('atr', 2, 'long', 1000, 5, 3)).toEqual([990, 980, 970]);
    expect(dcaLevels('atr', 2, 'short', 1000, 5, 2)).toEqual([1010, 1020]);
  });

  it('adds exactly where price <= avg - 2 x ATR and RSI is in the zone', () => {
    expect(obs.expected.length).toBeGreaterThan(3);
    expect(obs.actual).toEqual(obs.expected);
    for (const a of obs.adds) expect(rsi[a.i]!).toBeLessThan(30);
  });

  it('sizes adds as investment x 1.2^entries x leverage / close', () => {
    expect(obs.amountMismatches).toEqual([]);
  });
});
