import { describe, expect, it } from 'vitest';
import { EMA, SMA, WEMA, WMA } from 'technicalindicators';
import {
  createEmaState,
  createRmaState,
  createSmaState,
  createWmaState,
  ema,
  rma,
  sma,
  updateEma,
  updateRma,
  updateSma,
  updateWma,
  wma,
} from './moving-average.indicator';
import { alignRight, btc1h, expectBitEqual, expectCloseFrom, lcgSeries, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

describe('SMA (original calc_sma: Pine-style, NaN-skipping, partial windows at the start)', () => {
  it('averages partial windows at the start (hand-computed)', () => {
    expectBitEqual(sma(Float64Array.from([1, 2, 3, 4, 5]), 3), Float64Array.from([1, 1.5, 2, 3, 4]));
  });

  it('skips NaN values inside the window and is NaN only when the window has none', () => {
    const src = Float64Array.from([1, NaN, 3, NaN, NaN, NaN, 8]);
    // windows of 2: [1] [1,NaN] [NaN,3] [3,NaN] [NaN,NaN] [NaN,NaN] [NaN,8]
    expectBitEqual(sma(src, 2), Float64Array.from([1, 1, 3, 3, NaN, NaN, 8]));
  });

  it('streaming equals batch bit for bit on real candles, with a JSON round-trip of the state', () => {
    for (const len of [1, 5, 20, 200]) {
      const streamed = streamWithJsonRoundTrip(() => createSmaState(len), n, (s, i) => updateSma(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), sma(close, len), `sma(${len})`);
    }
  });

  it('matches technicalindicators SMA to 1e-9 once the window is full (library omits partial windows)', () => {
    for (const len of [5, 20, 50, 200]) {
      const ref = alignRight(SMA.calculate({ period: len, values: Array.from(close) }), n);
      expect(expectCloseFrom(sma(close, len), ref, len - 1, 1e-9, `sma(${len})`)).toBe(n - len + 1);
    }
  });

  it('matches a naive window mean (recomputed from scratch) on every bar, including the partial ones', () => {
    const len = 20;
    const ours = sma(close, len);
    const naive = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const from = Math.max(0, i - len + 1);
      for (let j = from; j <= i; j++) sum += close[j];
      naive[i] = sum / (i - from + 1);
    }
    expectCloseFrom(ours, naive, 0, 1e-12, 'sma naive');
  });

  it('does not drift over a long stream (running sum is re-synchronised)', () => {
    const src = lcgSeries(200_000, 7, 50_000);
    const ours = sma(src, 30);
    const i = src.length - 1;
    let sum = 0;
    for (let j = i - 29; j <= i; j++) sum += src[j];
    expect(Math.abs(ours[i] - sum / 30)).toBeLessThan(1e-9);
  });
});

describe('EMA (original calc_ema: seeded with the first value, alpha = 2/(n+1))', () => {
  it('is seeded with the first value (hand-computed, alpha = 0.5)', () => {
    expectBitEqual(ema(Float64Array.from([1, 2, 3]), 3), Float64Array.from([1, 1.5, 2.25]));
  });

  it('streaming equals batch bit for bit on real candles, with a JSON round-trip of the state', () => {
    for (const len of [1, 5, 14, 200]) {
      const streamed = streamWithJsonRoundTrip(() => createEmaState(len), n, (s, i) => updateEma(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), ema(close, len), `ema(${len})`);
    }
  });

  it('matches technicalindicators EMA to 1e-9 after the seed has decayed below 1e-12', () => {
    // The library seeds with the SMA of the first `period` values; (1 - alpha)^k < 1e-12 after k bars.
    for (const len of [5, 14, 20, 50]) {
      const alpha = 2 / (len + 1);
      const warm = Math.ceil(Math.log(1e-12) / Math.log(1 - alpha)) + len;
      const ref = alignRight(EMA.calculate({ period: len, values: Array.from(close) }), n);
      expect(expectCloseFrom(ema(close, len), ref, warm, 1e-9, `ema(${len})`)).toBeGreaterThan(n - 2000);
    }
  });

  it('ignores a NaN input (returns NaN, state unchanged)', () => {
    const s = createEmaState(3);
    updateEma(s, 1);
    expect(updateEma(s, NaN)).toBeNaN();
    expect(updateEma(s, 2)).toBe(1.5);
  });
});

describe('RMA (original calc_rma: SMA-seeded Wilder)', () => {
  it('is NaN until length values, seeded with their mean, then alpha = 1/length (hand-computed)', () => {
    expectBitEqual(rma(Float64Array.from([1, 2, 3, 4]), 2), Float64Array.from([NaN, 1.5, 2.25, 3.125]));
  });

  it('streaming equals batch bit for bit on real candles, with a JSON round-trip of the state', () => {
    for (const len of [1, 14, 28]) {
      const streamed = streamWithJsonRoundTrip(() => createRmaState(len), n, (s, i) => updateRma(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), rma(close, len), `rma(${len})`);
    }
  });

  it('matches technicalindicators WEMA (Wilder EMA, also SMA-seeded) to 1e-9 from the first value', () => {
    for (const len of [5, 14, 28]) {
      const ref = alignRight(WEMA.calculate({ period: len, values: Array.from(close) }), n);
      expect(expectCloseFrom(rma(close, len), ref, len - 1, 1e-9, `rma(${len})`)).toBe(n - len + 1);
    }
  });
});

describe('WMA (weights 1..length, oldest first)', () => {
  it('hand-computed values', () => {
    expectBitEqual(wma(Float64Array.from([1, 2, 3, 4]), 3), Float64Array.from([NaN, NaN, 14 / 6, 20 / 6]));
  });

  it('streaming equals batch bit for bit on real candles, with a JSON round-trip of the state', () => {
    for (const len of [1, 9, 20]) {
      const streamed = streamWithJsonRoundTrip(() => createWmaState(len), n, (s, i) => updateWma(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), wma(close, len), `wma(${len})`);
    }
  });

  it('matches technicalindicators WMA to 1e-9 once the window is full', () => {
    for (const len of [2, 9, 20, 50]) {
      const ref = alignRight(WMA.calculate({ period: len, values: Array.from(close) }), n);
      expect(expectCloseFrom(wma(close, len), ref, len - 1, 1e-9, `wma(${len})`)).toBe(n - len + 1);
    }
  });
});

describe('argument validation', () => {
  it('rejects non-integer or non-positive lengths', () => {
    expect(() => createSmaState(0)).toThrow(RangeError);
    expect(() => createEmaState(2.5)).toThrow(RangeError);
    expect(() => createRmaState(-1)).toThrow(RangeError);
    expect(() => createWmaState(Number.NaN)).toThrow(RangeError);
  });
});
