import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, referenceAtr, roundTo, scenarioSettings } from '../testing/reference';
import { simulate, type SimEvent } from '../testing/simulate';

// Scenario: TP distances by price and by ATR (§2.6) on BTC 1h 2024, both directions, no trailing (all three
// TPs placed). The original accepted only "가격 기준" for the price mode, so its UI value "금액 기준" produced
// no TPs at all; both now mean a fixed price distance. TPs are clamped to >= avg*1.0001 and current*1.0001
// (long; mirrored for short), rounded to the tick and sorted away from the entry.
describe('scenario: TP by price distance and by ATR (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const atr = referenceAtr(candles, 14);
  const base = { investment: 1000, direction: 'both', pyramiding_limit: 1, trailing_stop_active: false };
  const runWith = (extra: Record<string, unknown>) => {
    const settings = scenarioSettings({ ...base, ...extra });
    const strategy = createHyperrsiStrategy();
    return simulate({ strategy, state: strategy.init({ botId: 't', settings, market: BTC_MARKET, timeframe: '1h' }), candles, market: BTC_MARKET });
  };
  /** entry fills with the decision bar of their order and the TP intents they caused */
  const entryTps = (events: readonly SimEvent[]) =>
    events.flatMap((e) => {
      if (e.kind !== 'fill' || e.fill.tag !== 'entry') return [];
      const f = e.fill;
      const tps = events.flatMap((x) => (x.kind === 'intent' && x.intent.action === 'place' && x.intent.key.startsWith(`${f.key}>tp`) && !x.intent.key.slice(f.key.length + 1).includes('>') ? [x.intent as OrderIntent] : []));
      return [{ f, decisionBar: e.i - 1, tps }];
    });
  const ceilTo = (x: number, step: number) => Number((Math.ceil(x / step - 1e-9) * step).toFixed(1));
  const floorToTick = (x: number, step: number) => Number((Math.floor(x / step + 1e-9) * step).toFixed(1));

  it('price mode: avg +/- value for both original spellings, identical results', () => {
    const a = runWith({ tp_option: '가격 기준', tp1_value: 300, tp2_value: 600, tp3_value: 900 });
    const b = runWith({ tp_option: '금액 기준', tp1_value: 300, tp2_value: 600, tp3_value: 900 });
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    const list = entryTps(a.events);
    expect(list.some((x) => x.f.positionSide === 'long') && list.some((x) => x.f.positionSide === 'short')).toBe(true);
    for (const { f, tps } of list) {
      const m = f.positionSide === 'long' ? 1 : -1;
      expect(tps.map((t) => t.price)).toEqual([300, 600, 900].map((v) => roundTo(f.price + m * v, 0.1)));
      expect(tps.every((t) => t.reduceOnly && t.type === 'limit' && t.side === (m === 1 ? 'sell' : 'buy'))).toBe(true);
    }
  });

  it('ATR mode: avg +/- ATR(14) x value, ATR taken at the entry decision', () => {
    const list = entryTps(runWith({ tp_option: 'ATR 기준', tp1_value: 1, tp2_value: 2, tp3_value: 3 }).events);
    expect(list.length).toBeGreaterThan(5);
    for (const { f, decisionBar, tps } of list) {
      const m = f.positionSide === 'long' ? 1 : -1;
      const a = Math.max(atr[decisionBar], f.price * 0.001);
      expect(tps.map((t) => t.price)).toEqual([1, 2, 3].map((v) => roundTo(f.price + m * a * v, 0.1)));
    }
  });

  it('clamps tiny distances to 0.01% beyond the entry and sorts the levels away from it', () => {
    const list = entryTps(runWith({ tp_option: 'price', tp1_value: 900, tp2_value: 1, tp3_value: 300 }).events);
    for (const { f, tps } of list) {
      const long = f.positionSide === 'long';
      const clamped = long ? ceilTo(f.price * 1.0001, 0.1) : floorToTick(f.price * 0.9999, 0.1);
      const sorted = long ? [clamped, roundTo(f.price + 300, 0.1), roundTo(f.price + 900, 0.1)] : [clamped, roundTo(f.price - 300, 0.1), roundTo(f.price - 900, 0.1)];
      expect(tps.map((t) => t.price)).toEqual(sorted);
      // sizes stay with the levels: 30% / 30% / remainder
      expect(tps[0].amount).toBe(tps[1].amount);
      expect(tps[2].amount).toBeGreaterThan(tps[0].amount);
    }
  });
});
