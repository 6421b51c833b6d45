import { describe, expect, it } from 'vitest';
import { jma } from './jma.indicator';
import { createRationalQuadraticState, rationalQuadratic, updateRationalQuadratic } from './rational-quadratic.indicator';
import { btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

/** Naive per-bar port of Pine `rationalQuadratic` (jdehorty KernelFunctions): lags 0 .. startAtBar + 1. */
function naiveRq(src: Float64Array, lookback: number, r: number, startAtBar: number): Float64Array {
  const out = new Float64Array(src.length);
  for (let t = 0; t < src.length; t++) {
    let cur = 0;
    let cum = 0;
    for (let i = 0; i <= 1 + startAtBar; i++) {
      const y = t - i >= 0 ? src[t - i] : NaN; // Pine: src[i] is na before the first bar
      const w = Math.pow(1 + Math.pow(i, 2) / (Math.pow(lookback, 2) * 2 * r), -r);
      cur += y * w;
      cum += w;
    }
    out[t] = cur / cum;
  }
  return out;
}

describe('Rational-quadratic kernel (Pine rationalQuadratic, lookback 30, r 0.5, startAtBar 5)', () => {
  it('hand-computed: lookback 1, r 1 => weights 1/(1 + lag^2/2) over lags 0..6', () => {
    const w = [1, 2 / 3, 1 / 3, 2 / 11, 1 / 9, 2 / 27, 1 / 19];
    const src = Float64Array.from([0, 1, 2, 3, 4, 5, 6]);
    let num = 0;
    let den = 0;
    for (let lag = 0; lag < 7; lag++) {
      num += (6 - lag) * w[lag];
      den += w[lag];
    }
    const out = rationalQuadratic(src, 1, 1, 5);
    for (let i = 0; i < 6; i++) expect(out[i]).toBeNaN();
    expect(out[6]).toBeCloseTo(num / den, 14);
  });

  it('keeps a constant series constant and spans exactly startAtBar + 2 lags', () => {
    const out = rationalQuadratic(new Float64Array(20).fill(3), 30, 0.5, 5);
    expect(out[5]).toBeNaN();
    for (let i = 6; i < 20; i++) expect(out[i]).toBeCloseTo(3, 14);
    expect(createRationalQuadraticState(30, 0.5, 5).weights.length).toBe(7);
    expect(createRationalQuadraticState(30, 0.5, 2).weights.length).toBe(4);
  });

  it('streaming equals batch bit for bit (on the JMA it smooths in trend_state), with a JSON round-trip', () => {
    const src = jma(close, 5);
    const streamed = streamWithJsonRoundTrip(() => createRationalQuadraticState(), n, (s, i) => updateRationalQuadratic(s, src[i]));
    expectBitEqual(Float64Array.from(streamed), rationalQuadratic(src));
  });

  it('matches the naive per-bar port to 1e-9 on real candles (NaN in the same warm-up bars)', () => {
    for (const [lb, r, sab] of [
      [30, 0.5, 5],
      [8, 1, 25],
      [50, 2, 0],
    ]) {
      const ours = rationalQuadratic(close, lb, r, sab);
      const ref = naiveRq(close, lb, r, sab);
      for (let i = 0; i <= sab; i++) {
        expect(ours[i]).toBeNaN();
        expect(ref[i]).toBeNaN();
      }
      expectCloseFrom(ours, ref, sab + 1, 1e-12, `rq(${lb},${r},${sab})`);
    }
  });
});
