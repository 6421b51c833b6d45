import { describe, expect, it } from 'vitest';
import { ATR, BollingerBands, SD, TrueRange } from 'technicalindicators';
import {
  atr,
  bollinger,
  createAtrState,
  createBollingerState,
  createStdevState,
  createTrueRangeState,
  stdev,
  trueRange,
  updateAtr,
  updateBollinger,
  updateStdev,
  updateTrueRange,
  type BollingerValue,
} from './volatility.indicator';
import { alignRight, btc1h, expectBitEqual, expectCloseFrom, lcgSeries, streamWithJsonRoundTrip } from './indicator.testing';

const { high, low, close } = btc1h();
const n = close.length;

describe('True range', () => {
  it('hand-computed: TR[0] = high - low, then max(h-l, |h-pc|, |l-pc|)', () => {
    const tr = trueRange(Float64Array.from([10, 12, 11, 13]), Float64Array.from([8, 9, 10, 10]), Float64Array.from([9, 11, 10.5, 12]));
    expectBitEqual(tr, Float64Array.from([2, 3, 1, 3]));
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    const streamed = streamWithJsonRoundTrip(createTrueRangeState, n, (s, i) => updateTrueRange(s, high[i], low[i], close[i]));
    expectBitEqual(Float64Array.from(streamed), trueRange(high, low, close));
  });

  it('matches technicalindicators TrueRange exactly from bar 1 (the library has no bar-0 value)', () => {
    const ref = alignRight(TrueRange.calculate({ high: Array.from(high), low: Array.from(low), close: Array.from(close) }), n);
    const ours = trueRange(high, low, close);
    expect(ours[0]).toBe(high[0] - low[0]);
    expect(expectCloseFrom(ours, ref, 1, 0, 'tr')).toBe(n - 1);
  });
});

describe('ATR (original calc_atr: running SMA of TR for i < length, then Wilder)', () => {
  it('hand-computed with length 3', () => {
    const a = atr(Float64Array.from([10, 12, 11, 13]), Float64Array.from([8, 9, 10, 10]), Float64Array.from([9, 11, 10.5, 12]), 3);
    // TR 2, 3, 1, 3 -> 2, 2.5, 2, (2*2 + 3)/3
    expectBitEqual(a, Float64Array.from([2, 2.5, 2, 7 / 3]));
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const len of [1, 14, 28]) {
      const streamed = streamWithJsonRoundTrip(() => createAtrState(len), n, (s, i) => updateAtr(s, high[i], low[i], close[i]));
      expectBitEqual(Float64Array.from(streamed), atr(high, low, close, len), `atr(${len})`);
    }
  });

  it('matches technicalindicators ATR to 1e-9 after the seed decayed below 1e-12', () => {
    // The library seeds with mean(TR[1..p]) at index p; ours with mean(TR[0..p-1]) then one Wilder step.
    for (const len of [14, 28]) {
      const ref = alignRight(ATR.calculate({ high: Array.from(high), low: Array.from(low), close: Array.from(close), period: len }), n);
      const warm = len + Math.ceil(Math.log(1e-12) / Math.log((len - 1) / len));
      expect(expectCloseFrom(atr(high, low, close, len), ref, warm, 1e-9, `atr(${len})`)).toBeGreaterThan(n - 1000);
    }
  });
});

describe('Stdev (original calc_stddev: population std over length)', () => {
  it('hand-computed: population std of 2 4 4 4 5 5 7 9 is 2', () => {
    const s = stdev(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]), 8);
    expect(Array.from(s.subarray(0, 7)).every(Number.isNaN)).toBe(true);
    expect(s[7]).toBeCloseTo(2, 14);
  });

  it('gives 0 on a flat window', () => {
    expect(stdev(Float64Array.from([3, 3, 3, 3]), 3)[3]).toBe(0);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const len of [1, 15, 60]) {
      const streamed = streamWithJsonRoundTrip(() => createStdevState(len), n, (s, i) => updateStdev(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), stdev(close, len), `stdev(${len})`);
    }
  });

  it('matches technicalindicators SD (population, two-pass) to 1e-9 once the window is full', () => {
    for (const len of [15, 20, 60]) {
      const ref = alignRight(SD.calculate({ period: len, values: Array.from(close) }), n);
      expect(expectCloseFrom(stdev(close, len), ref, len - 1, 1e-9, `stdev(${len})`)).toBe(n - len + 1);
    }
  });

  it('stays accurate on a long stream of large prices (no drift, no cancellation)', () => {
    const src = lcgSeries(300_000, 99, 60_000);
    const len = 15;
    const ours = stdev(src, len);
    const i = src.length - 1;
    let m = 0;
    for (let j = i - len + 1; j <= i; j++) m += src[j];
    m /= len;
    let v = 0;
    for (let j = i - len + 1; j <= i; j++) v += (src[j] - m) ** 2;
    expect(Math.abs(ours[i] - Math.sqrt(v / len)) / Math.sqrt(v / len)).toBeLessThan(1e-10);
  });
});

describe('Bollinger (original calc_bollinger_bands: SMA middle, SAMPLE std ddof=1)', () => {
  it('hand-computed: middle is the partial SMA from bar 0, bands need a full window', () => {
    const b = bollinger(Float64Array.from([1, 2, 3]), 3, 1);
    expectBitEqual(b.middle, Float64Array.from([1, 1.5, 2]));
    expectBitEqual(b.upper, Float64Array.from([NaN, NaN, 3])); // sample std of 1,2,3 is 1
    expectBitEqual(b.lower, Float64Array.from([NaN, NaN, 1]));
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    const streamed = streamWithJsonRoundTrip(
      () => createBollingerState(20, 2),
      n,
      (s, i) => ({ ...updateBollinger(s, close[i]) }),
    );
    const b = bollinger(close, 20, 2);
    expectBitEqual(Float64Array.from(streamed, (r: BollingerValue) => r.upper), b.upper, 'upper');
    expectBitEqual(Float64Array.from(streamed, (r: BollingerValue) => r.middle), b.middle, 'middle');
    expectBitEqual(Float64Array.from(streamed, (r: BollingerValue) => r.lower), b.lower, 'lower');
  });

  it('writes into a caller-owned result object when given one', () => {
    const s = createBollingerState(3, 1);
    const out: BollingerValue = { upper: 0, middle: 0, lower: 0 };
    for (const x of [1, 2, 3]) expect(updateBollinger(s, x, out)).toBe(out);
    expect(out).toEqual({ upper: 3, middle: 2, lower: 1 });
  });

  it('matches technicalindicators BollingerBands to 1e-9 after converting its population std to sample std', () => {
    // The library's bands are sma ± k*popStd; ours use sampleStd = popStd * sqrt(n/(n-1)).
    const len = 20;
    const k = 2;
    const lib = BollingerBands.calculate({ period: len, values: Array.from(close), stdDev: k });
    const mid = alignRight(lib.map((r) => r.middle), n);
    const dev = alignRight(lib.map((r) => ((r.upper - r.middle) / k) * Math.sqrt(len / (len - 1)) * k), n);
    const up = mid.map((m, i) => m + dev[i]);
    const lo = mid.map((m, i) => m - dev[i]);
    const b = bollinger(close, len, k);
    expectCloseFrom(b.middle, mid, len - 1, 1e-9, 'middle');
    expectCloseFrom(b.upper, up, len - 1, 1e-9, 'upper');
    expectCloseFrom(b.lower, lo, len - 1, 1e-9, 'lower');
  });

  it('matches a naive two-pass sample std on every full window', () => {
    const len = 20;
    const b = bollinger(close, len, 2);
    const up = new Float64Array(n).fill(NaN);
    for (let i = len - 1; i < n; i++) {
      let m = 0;
      for (let j = i - len + 1; j <= i; j++) m += close[j];
      m /= len;
      let v = 0;
      for (let j = i - len + 1; j <= i; j++) v += (close[j] - m) ** 2;
      up[i] = m + 2 * Math.sqrt(v / (len - 1));
    }
    expectCloseFrom(b.upper, up, len - 1, 1e-12, 'upper naive');
  });
});
