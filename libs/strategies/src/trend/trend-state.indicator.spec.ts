import { describe, it, expect } from 'vitest';
import type { Candle } from '../core/candle';
import type { Timeframe } from '../core/timeframe';
import { resampleCandles } from '../core/resample';
import {
  createTrendStateState,
  updateTrendState,
  trendStateSeries,
  nextTrendState,
  autoTrendTimeframe,
  bbStateTimeframe,
  type TrendStateOptions,
  type TrendStateValue,
} from './trend-state.indicator';
import { referenceTrendState, type ReferenceTrendOptions } from './testing/trend.reference';
import { readCandlesCsv } from '../../../../test/support/candles';

const btc1h = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const eth5m = readCandlesCsv('test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv');
const eth15m = resampleCandles(eth5m, '5m', '15m');
const btc4h = resampleCandles(btc1h, '1h', '4h');

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

function hourly(closes: readonly number[]): Candle[] {
  return closes.map((c, i) => ({ time: T0 + i * H, open: c, high: c, low: c, close: c, volume: 1 }));
}

function nullable(a: Float64Array): (number | null)[] {
  return Array.from(a, (x) => (Number.isNaN(x) ? null : x));
}

function stream(candles: readonly Candle[], tf: Timeframe, opts?: TrendStateOptions): (TrendStateValue | null)[] {
  const s = createTrendStateState(tf, opts);
  return candles.map((c) => updateTrendState(s, c));
}

/** Seeded PRNG (mulberry32) so the random cut points are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('trend_state: timeframe rules', () => {
  it.each([
    ['1m', '15m', '5m'],
    ['3m', '15m', '5m'],
    ['5m', '30m', '15m'],
    ['15m', '30m', '15m'],
    ['30m', '30m', '1h'],
    ['1h', '1h', '1h'],
    ['2h', '1h', '1h'],
    ['4h', '8h', '1h'],
    ['1d', '8h', '1h'],
  ] as const)('chart %s -> res_ %s, bb_mtf %s', (chart, res, bb) => {
    expect(autoTrendTimeframe(chart)).toBe(res);
    expect(bbStateTimeframe(chart)).toBe(bb);
  });

  it.each([
    ['5m', {}, '30m', '15m', null],
    ['3m', {}, '15m', '3m', null], // 5m cannot be built from 3m candles -> chart TF
    ['4h', {}, '8h', '4h', null], // bb_mtf 1h is finer than the chart -> chart TF
    ['6h', {}, '6h', '6h', null], // 8h is not a multiple of 6h
    ['1h', { trendTimeframe: '4h' }, '4h', '1h', null],
    ['1h', { trendTimeframe: '15m' }, '1h', '1h', null],
    ['1h', { useLongerTrend: true }, '1h', null, '4h'],
    ['1d', { useLongerTrend: true }, '1d', null, '1d'],
  ] as const)('effective timeframes for chart %s %j', (chart, opts, cycleTf, bbTf, cycle2Tf) => {
    const s = createTrendStateState(chart, opts as TrendStateOptions);
    expect([s.cycleTf, s.bbTf, s.cycle2Tf]).toEqual([cycleTf, bbTf, cycle2Tf]);
  });

  it('cycle type and lengths', () => {
    expect(createTrendStateState('1h')).toMatchObject({ cycleType: 'JMA', lengths: [5, 10, 20] });
    expect(createTrendStateState('1h', { useLongerTrend: true })).toMatchObject({ cycleType: 'T3', lengths: [20, 40, 120] });
    // c = 10: (11, round(26), round(48)); c = 7: (8, round(18.2)=18, round(33.6)=34)
    expect(createTrendStateState('1h', { customLength: 10 })).toMatchObject({ cycleType: 'T3', lengths: [11, 26, 48] });
    expect(createTrendStateState('1h', { customLength: 7 })).toMatchObject({ cycleType: 'T3', lengths: [8, 18, 34] });
    expect(() => createTrendStateState('1h', { customLength: 0 })).toThrow(RangeError);
    expect(() => createTrendStateState('1h', { customLength: 2.5 })).toThrow(RangeError);
  });
});

describe('trend_state: state machine transitions (hand-checked)', () => {
  it.each([
    // prev, bull, bear, longer, bb, expected
    [0, true, false, false, 2, 2], // bull confirmed by BB +2
    [0, true, false, false, 0, 0], // bull without BB +2: stays
    [0, true, false, true, 0, 2], // longer trend ignores BB
    [2, true, false, false, 0, 2], // still bull: keeps 2 although BB left +2
    [2, false, false, false, 2, 0], // bull ended
    [2, false, true, false, -2, 0], // bull ended AND bear confirmed: the reference's elif gives 0 first
    [0, false, true, false, -2, -2],
    [0, false, true, false, -1, 0],
    [-2, false, true, false, 0, -2],
    [-2, false, false, false, -2, 0], // bear ended
    [-2, true, false, false, 2, 2], // bull confirmed wins from −2
    [-2, true, false, false, 0, 0], // bull unconfirmed: not bear any more -> 0
    [0, false, false, false, 2, 0],
    [0, false, true, true, 2, -2],
  ] as const)('prev %i bull %s bear %s longer %s bb %i -> %i', (prev, bull, bear, longer, bb, want) => {
    expect(nextTrendState(prev, bull, bear, longer, bb)).toBe(want);
  });

  it('longer trend on a steady 1h uptrend: null while the RQ kernel warms up, 0 until two 4h bars, then +2', () => {
    // T3s are defined from the first close; the rational-quadratic kernel needs 7 values -> ready at bar 6.
    // On a rising line faster T3 > slower T3 (bull). The 4h VIDYAs: one 4h bar (closed at bar 3) gives three
    // equal values (no strict order -> not bull2), the second 4h bar (closed at bar 7) gives v3 > v9 > v21.
    const up = Array.from({ length: 40 }, (_, i) => 100 + i);
    const got = nullable(trendStateSeries(hourly(up), '1h', { useLongerTrend: true }));
    expect(got.slice(0, 9)).toEqual([null, null, null, null, null, null, 0, 2, 2]);
    expect(got.slice(7).every((v) => v === 2)).toBe(true);
  });

  it('longer trend: a reversal goes +2 -> 0 -> −2, never straight from +2 to −2', () => {
    const up = Array.from({ length: 60 }, (_, i) => 100 + i);
    const down = Array.from({ length: 80 }, (_, i) => 159 - 2 * i);
    const got = nullable(trendStateSeries(hourly([...up, ...down]), '1h', { useLongerTrend: true }));
    const firstNeg = got.indexOf(-2);
    const lastPos = got.lastIndexOf(2);
    expect(lastPos).toBeGreaterThan(59);
    expect(firstNeg).toBeGreaterThan(lastPos + 1);
    expect(got.slice(lastPos + 1, firstNeg).every((v) => v === 0)).toBe(true);
  });

  it('default mode: a jump after a flat market is +2 only with BB_State +2, and a crash is −2', () => {
    // Flat 100 for 200 1h bars: JMAs equal -> neither bull nor bear -> 0. At the jump to 300 the faster JMAs
    // react more (bull) and BB_State becomes +2 on the same bar (see bb-state spec) -> +2. Crash likewise −2.
    const jump = nullable(trendStateSeries(hourly([...new Array<number>(200).fill(100), 300, 300]), '1h'));
    expect(jump.slice(198)).toEqual([0, 0, 2, 2]);
    const crash = nullable(trendStateSeries(hourly([...new Array<number>(200).fill(100), 1, 1]), '1h'));
    expect(crash.slice(198)).toEqual([0, 0, -2, -2]);
    // warm-up in default mode is BB_State's: 113 bars
    expect(jump.indexOf(0)).toBe(113);
  });
});

describe('trend_state: agrees with an independent reference composition (real data)', () => {
  const cases: [string, Candle[], Timeframe, number, TrendStateOptions, ReferenceTrendOptions][] = [
    ['BTC 1h default', btc1h, '1h', 60, {}, {}],
    ['BTC 1h longer trend', btc1h, '1h', 60, { useLongerTrend: true }, { useLongerTrend: true }],
    ['BTC 1h custom length 10', btc1h, '1h', 60, { customLength: 10 }, { customLength: 10 }],
    ['BTC 1h trend TF 4h', btc1h, '1h', 60, { trendTimeframe: '4h' }, { trendMinutes: 240 }],
    ['BTC 4h default (8h cycle)', btc4h, '4h', 240, {}, {}],
    ['ETH 5m default (30m cycle, 15m BB)', eth5m, '5m', 5, {}, {}],
    ['ETH 5m longer trend', eth5m, '5m', 5, { useLongerTrend: true }, { useLongerTrend: true }],
    ['ETH 5m trend TF 1h', eth5m, '5m', 5, { trendTimeframe: '1h' }, { trendMinutes: 60 }],
    ['ETH 15m default', eth15m, '15m', 15, {}, {}],
  ];
  it.each(cases)('%s', (_name, candles, tf, minutes, opts, refOpts) => {
    const got = nullable(trendStateSeries(candles, tf, opts));
    const want = referenceTrendState(candles, minutes, refOpts);
    expect(got).toEqual(want);
    // meaningful: both directions occur
    expect(got.includes(2) && got.includes(-2)).toBe(true);
  });
});

describe('trend_state: no lookahead', () => {
  it.each([
    ['ETH 5m', eth5m, '5m' as Timeframe, 11],
    ['BTC 1h', btc1h, '1h' as Timeframe, 22],
  ])('%s: values up to t do not depend on candles after t (200 random cuts)', (_name, candles, tf, seed) => {
    for (const opts of [{}, { useLongerTrend: true }] as TrendStateOptions[]) {
      const full = nullable(trendStateSeries(candles, tf, opts));
      const rnd = mulberry32(seed);
      for (let k = 0; k < 200; k++) {
        const t = Math.floor(rnd() * candles.length);
        const cut = nullable(trendStateSeries(candles.slice(0, t + 1), tf, opts));
        expect(cut).toEqual(full.slice(0, t + 1));
      }
    }
  });

  it('a higher-timeframe value is used only from the chart bar that closes its bucket', () => {
    // 5m chart, default: inputs change only when a 15m (BB) or 30m (cycle) bucket closes, i.e. on 5m bars with
    // (open + 5m) % 15m == 0; every change of trend_state must happen on such a bar.
    const v = nullable(trendStateSeries(eth5m, '5m'));
    let changes = 0;
    for (let i = 1; i < v.length; i++) {
      if (v[i - 1] !== null && v[i] !== v[i - 1]) {
        changes++;
        expect((eth5m[i].time + 300_000) % 900_000).toBe(0);
      }
    }
    expect(changes).toBeGreaterThan(10);
  });

  it('changing a candle inside the current, unfinished 30m bucket cannot change values before it', () => {
    const i = 4000; // some 5m bar
    const base = nullable(trendStateSeries(eth5m, '5m'));
    const mutated = eth5m.map((c, k) => (k === i ? { ...c, close: c.close * 1.5, high: c.high * 1.5 } : c));
    const got = nullable(trendStateSeries(mutated, '5m'));
    expect(got.slice(0, i)).toEqual(base.slice(0, i));
  });
});

describe('trend_state: streaming properties', () => {
  it.each([
    ['BTC 1h', btc1h, '1h' as Timeframe],
    ['ETH 5m', eth5m, '5m' as Timeframe],
  ])('%s: batch equals streaming, and runs are deterministic', (_n, candles, tf) => {
    for (const opts of [{}, { useLongerTrend: true }, { customLength: 6 }] as TrendStateOptions[]) {
      const a = nullable(trendStateSeries(candles, tf, opts));
      expect(a).toEqual(stream(candles, tf, opts));
      const copy = candles.map((c) => ({ ...c }));
      expect(nullable(trendStateSeries(copy, tf, opts))).toEqual(a);
    }
  });

  it.each([
    ['BTC 1h', btc1h, '1h' as Timeframe],
    ['ETH 5m', eth5m, '5m' as Timeframe],
  ])('%s: JSON round trip of the state mid-series continues identically', (_n, candles, tf) => {
    for (const opts of [{}, { useLongerTrend: true }] as TrendStateOptions[]) {
      const full = stream(candles, tf, opts);
      for (const cut of [1, 7, 100, 341, 2503, 7777]) {
        let s = createTrendStateState(tf, opts);
        const out: (TrendStateValue | null)[] = [];
        for (let i = 0; i < candles.length; i++) {
          if (i === cut) {
            const json = JSON.stringify(s);
            expect(json).not.toMatch(/NaN|Infinity/);
            s = JSON.parse(json);
          }
          out.push(updateTrendState(s, candles[i]));
        }
        expect(out).toEqual(full);
      }
    }
  });

  it('rejects candles that do not move forward in time', () => {
    const s = createTrendStateState('5m');
    updateTrendState(s, eth5m[1]);
    expect(() => updateTrendState(s, eth5m[1])).toThrow(RangeError);
    expect(() => updateTrendState(s, eth5m[0])).toThrow(RangeError);
  });

  it('gaps: a bucket missing its closing candle is used once a later candle arrives', () => {
    // drop every 6th 5m candle (some are 30m-bucket closers): still deterministic, no throw, and the
    // state machine runs; batch == streaming.
    const holey = eth5m.filter((_, i) => i % 6 !== 5);
    const a = nullable(trendStateSeries(holey, '5m'));
    expect(a).toEqual(stream(holey, '5m'));
    expect(a.includes(2) || a.includes(-2)).toBe(true);
  });
});
