import { describe, expect, it } from 'vitest';
import { dcaLevels } from '../hyperrsi.math';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { dcaOracle } from '../testing/dca-oracle';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, roundTo, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: DCA by percent from the AVERAGE entry price (original "퍼센트 기준" / "평균 단가"), BTC 1h 2024,
// long only, 2% steps, multiplier 1.5, pyramiding_limit 4 (initial + 3 adds), no RSI gate. TPs far away so
// positions live long enough to add.
describe('scenario: percent DCA from the average price (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({
    direction: 'long',
    pyramiding_entry_type: '퍼센트 기준',
    pyramiding_value: 2,
    entry_criterion: '평균 단가',
    entry_multiplier: 1.5,
    pyramiding_limit: 4,
    use_rsi_with_pyramiding: false,
    tp1_value: 6,
    tp2_value: 8,
    tp3_value: 10,
  });
  const oracle = dcaOracle(candles, {
    pyramidingLimit: 4,
    level: (_i, avg) => avg * (1 - 2 / 100),
    amount: (i, entries) => floorTo((20 * 1.5 ** entries * 10) / candles[i].close, 0.001),
  });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET, afterDecide: (i, r, ev) => oracle.afterDecide(i, r.intents, ev) });
  const obs = oracle.result();

  it('chains levels by percent: L_i = L_(i-1) x (1 - v/100) (short: x (1 + v/100))', () => {
    const long = dcaLevels('percent', 3, 'long', 100, 0, 3);
    expect(long[0]).toBeCloseTo(97, 10);
    expect(long[1]).toBeCloseTo(94.09, 10);
    expect(long[2]).toBeCloseTo(91.2673, 10);
    const short = dcaLevels('percent', 3, 'short', 100, 0, 2);
    expect(short[0]).toBeCloseTo(103, 10);
    expect(short[1]).toBeCloseTo(106.09, 10);
  });

  it('adds exactly on the first closes at or below average x 0.98', () => {
    expect(obs.expected.length).toBeGreaterThan(5);
    expect(obs.actual).toEqual(obs.expected);
  });

  it('sizes each add as investment x 1.5^entries x leverage / close', () => {
    expect(obs.amountMismatches).toEqual([]);
    // the multiplier really grows: some add was made with 2+ entries already (1.5^2 = 2.25x the first)
    expect(obs.adds.some((a) => a.intent.amount > 2 * floorTo(200 / a.close, 0.001))).toBe(true);
  });

  it('rebuilds the TP ladder from the new average after every DCA fill (old TPs cancelled)', () => {
    let size = 0;
    let cost = 0;
    const resting = new Set<string>();
    let checked = 0;
    for (const e of run.events) {
      if (e.kind === 'intent' && e.intent.action === 'place' && e.intent.type === 'limit') resting.add(e.intent.key);
      if (e.kind === 'intent' && e.intent.action === 'cancel') resting.delete(e.intent.key);
      if (e.kind !== 'fill') continue;
      const f = e.fill;
      resting.delete(f.key);
      if (f.tag === 'entry' || f.tag === 'dca') {
        const before = [...resting];
        size = Number((size + f.amount).toFixed(6));
        cost += f.amount * f.price;
        if (f.tag !== 'dca') continue;
        const caused = run.events.flatMap((x) => (x.kind === 'intent' && (x.intent.action === 'cancel' ? x.source === 'fill' && x.i === e.i && before.includes(x.intent.key) : x.intent.key.startsWith(`${f.key}>`)) ? [x.intent] : []));
        expect(caused.filter((x) => x.action === 'cancel').map((x) => x.key).sort()).toEqual(before.sort());
        const avg = cost / size;
        const tps = caused.flatMap((x) => (x.action === 'place' && x.tag.startsWith('tp') ? [x] : []));
        expect(tps.map((x) => x.price)).toEqual([6, 8, 10].map((v) => roundTo(avg * (1 + v / 100), 0.1)));
        expect(tps.reduce((a, x) => a + x.amount, 0)).toBeCloseTo(size, 9);
        checked++;
      } else {
        cost -= (cost / size) * f.amount;
        size = Number((size - f.amount).toFixed(6));
        if (size <= 0) cost = size = 0;
      }
    }
    expect(checked).toBe(run.fills.filter((f) => f.tag === 'dca').length);
    expect(checked).toBeGreaterThan(5);
  });

  it('never exceeds pyramiding_limit entries (the first entry counts)', () => {
    expect(obs.maxEntries).toBe(4);
  });
});
