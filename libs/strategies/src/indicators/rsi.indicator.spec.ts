import { describe, expect, it } from 'vitest';
import { AverageGain, AverageLoss, RSI } from 'technicalindicators';
import { createRsiState, rsi, updateRsi } from './rsi.indicator';
import { alignRight, btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

describe('RSI (original calc_rsi: Wilder, seed window includes the padded leading 0 delta)', () => {
  it('hand-computed: seed = mean of deltas [0 (padded), d1, d2]; delta at index p is not folded in', () => {
    // closes 10 11 10 12 13 12 -> deltas [0, 1, -1, 2, 1, -1]
    // seed at i=3: gain mean(0,1,0) = 1/3, loss mean(0,0,1) = 1/3 -> 50 (delta[3] = +2 is skipped, as the original)
    // i=4: gain (1/3*2 + 1)/3 = 5/9, loss (1/3*2 + 0)/3 = 2/9 -> 100 - 100/3.5
    // i=5: gain (5/9*2 + 0)/3 = 10/27, loss (2/9*2 + 1)/3 = 13/27 -> 100 - 100/(1 + 10/13)
    const out = rsi(Float64Array.from([10, 11, 10, 12, 13, 12]), 3);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeNaN(); // the original reported 0 here; NaN is honest about "not ready"
    expect(out[3]).toBeCloseTo(50, 12);
    expect(out[4]).toBeCloseTo(100 - 100 / 3.5, 12);
    expect(out[5]).toBeCloseTo(100 - 100 / (1 + 10 / 13), 12);
  });

  it('gives 0 on a flat seed window and 100-ish when there are no losses (1e-10 loss floor, as the original)', () => {
    const flat = rsi(Float64Array.from([5, 5, 5, 5, 5]), 3);
    expect(flat[3]).toBe(0);
    const up = rsi(Float64Array.from([1, 2, 3, 4, 5, 6]), 3);
    // gain seed mean(0,1,1) = 2/3, loss 0 -> 100 - 100/(1 + (2/3)/1e-10)
    expect(up[3]).toBe(100 - 100 / (1 + 2 / 3 / 1e-10));
  });

  it('streaming equals batch bit for bit on real candles, with a JSON round-trip of the state', () => {
    for (const p of [2, 14, 28]) {
      const streamed = streamWithJsonRoundTrip(() => createRsiState(p), n, (s, i) => updateRsi(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), rsi(close, p), `rsi(${p})`);
    }
  });

  it('matches technicalindicators AverageGain/AverageLoss-based RSI to 1e-9 after the seed decayed below 1e-12', () => {
    // The library's RSI output is rounded to 2 decimals (toFixed(2)), so the exact comparison uses its
    // unrounded Wilder averages. Its seed is mean(d1..dp) at index p vs ours mean(0, d1..d(p-1)); the
    // difference decays as ((p-1)/p)^k, below 1e-12 after k = ln(1e-12)/ln((p-1)/p) bars.
    for (const p of [14, 28]) {
      const vals = Array.from(close);
      const g = alignRight(AverageGain.calculate({ period: p, values: vals }), n);
      const l = alignRight(AverageLoss.calculate({ period: p, values: vals }), n);
      const ref = new Float64Array(n);
      for (let i = 0; i < n; i++) ref[i] = 100 - 100 / (1 + g[i] / l[i]);
      const warm = p + Math.ceil(Math.log(1e-12) / Math.log((p - 1) / p));
      expect(expectCloseFrom(rsi(close, p), ref, warm, 1e-9, `rsi(${p})`)).toBeGreaterThan(n - 1000);
    }
  });

  it('matches technicalindicators RSI (rounded to 2 dp) within its rounding after warm-up', () => {
    const p = 14;
    const ref = alignRight(RSI.calculate({ period: p, values: Array.from(close) }), n);
    const ours = rsi(close, p);
    const warm = p + 400;
    for (let i = warm; i < n; i++) expect(Math.abs(ours[i] - ref[i])).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  it('ignores a NaN close', () => {
    const a = rsi(Float64Array.from([10, 11, 10, 12, 13, 12]), 3);
    const s = createRsiState(3);
    const b: number[] = [];
    for (const c of [10, 11, NaN, 10, 12, 13, 12]) b.push(updateRsi(s, c));
    expect(b[2]).toBeNaN();
    expectBitEqual(Float64Array.from([b[0], b[1], b[3], b[4], b[5], b[6]]), a);
  });
});
