import { describe, expect, it } from 'vitest';
import { dcaLevels } from '../hyperrsi.math';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { dcaOracle } from '../testing/dca-oracle';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: DCA by a fixed price amount from the LAST entry (original "금액 기준" / "마지막 진입"), BTC 1h
// 2024, long only, 800 USDT steps, multiplier 1 (equal adds), pyramiding_limit 3, no RSI gate.
describe('scenario: fixed-amount DCA from the last entry (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({
    direction: 'long',
    pyramiding_entry_type: '금액 기준',
    pyramiding_value: 800,
    entry_criterion: '마지막 진입',
    entry_multiplier: 1,
    pyramiding_limit: 3,
    use_rsi_with_pyramiding: false,
    tp1_value: 6,
    tp2_value: 8,
    tp3_value: 10,
  });
  const oracle = dcaOracle(candles, {
    pyramidingLimit: 3,
    level: (_i, _avg, lastFill) => lastFill - 800,
    amount: (i) => floorTo(200 / candles[i].close, 0.001),
  });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
  simulate({ strategy, state, candles, market: BTC_MARKET, afterDecide: (i, r, ev) => oracle.afterDecide(i, r.intents, ev) });
  const obs = oracle.result();

  it('normalises 금액 기준 to amount and chains L_i = L_(i-1) -/+ v', () => {
    expect(settings.pyramiding_entry_type).toBe('amount');
    expect(settings.entry_criterion).toBe('last_entry');
    expect(dcaLevels('amount', 800, 'long', 60000, 0, 3)).toEqual([59200, 58400, 57600]);
    expect(dcaLevels('amount', 800, 'short', 60000, 0, 2)).toEqual([60800, 61600]);
  });

  it('adds exactly on the first closes at or below last fill - 800', () => {
    expect(obs.expected.length).toBeGreaterThan(5);
    expect(obs.actual).toEqual(obs.expected);
    for (const a of obs.adds) expect(a.close).toBeLessThanOrEqual(a.level);
  });

  it('sizes adds equally with entry_multiplier 1 and stops at 3 entries', () => {
    expect(obs.amountMismatches).toEqual([]);
    expect(obs.maxEntries).toBe(3);
  });
});
