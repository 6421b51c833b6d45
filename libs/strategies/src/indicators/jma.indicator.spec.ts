import { describe, expect, it } from 'vitest';
import { createJmaState, jma, updateJma } from './jma.indicator';
import { btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

/** Naive port of the published formula with whole arrays (like the original calc_jma). */
function naiveJma(src: Float64Array, length: number, phase: number, power: number): Float64Array {
  const pr = phase < -100 ? 0.5 : phase > 100 ? 2.5 : phase / 100 + 1.5;
  const beta = length > 1 ? (0.45 * (length - 1)) / (0.45 * (length - 1) + 2) : 0;
  const alpha = beta ** power;
  const len = src.length;
  const e0 = new Float64Array(len);
  const e1 = new Float64Array(len);
  const e2 = new Float64Array(len);
  const j = new Float64Array(len);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    if (i === 0) {
      e0[0] = src[0];
      j[0] = src[0];
    } else {
      e0[i] = (1 - alpha) * src[i] + alpha * e0[i - 1];
      e1[i] = (src[i] - e0[i]) * (1 - beta) + beta * e1[i - 1];
      e2[i] = (e0[i] + pr * e1[i] - j[i - 1]) * (1 - alpha) ** 2 + alpha ** 2 * e2[i - 1];
      j[i] = e2[i] + j[i - 1];
    }
    if (i < length) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += src[k];
      out[i] = s / (i + 1);
    } else {
      out[i] = j[i];
    }
  }
  return out;
}

describe('JMA (original calc_jma, length 5, phase 50, power 2)', () => {
  it('is the running SMA for the first `length` bars, then the JMA recursion (hand-computed)', () => {
    // length 2, phase 0 (ratio 1.5), power 1: beta = alpha = 0.45/2.45
    const b = 0.45 / 2.45;
    const src = Float64Array.from([2, 4, 6]);
    const out = jma(src, 2, 0, 1);
    expect(out[0]).toBe(2);
    expect(out[1]).toBe(3);
    const e0a = (1 - b) * 4 + b * 2;
    const e1a = (4 - e0a) * (1 - b);
    const e2a = (e0a + 1.5 * e1a - 2) * (1 - b) ** 2;
    const ja = e2a + 2;
    const e0b = (1 - b) * 6 + b * e0a;
    const e1b = (6 - e0b) * (1 - b) + b * e1a;
    const e2b = (e0b + 1.5 * e1b - ja) * (1 - b) ** 2 + b * b * e2a;
    expect(out[2]).toBeCloseTo(e2b + ja, 12);
  });

  it('is constant on a constant series', () => {
    const out = jma(new Float64Array(50).fill(7), 5);
    for (const v of out) expect(v).toBe(7);
  });

  it('clamps phase to [-100, 100]', () => {
    expect(createJmaState(5, 500).phaseRatio).toBe(2.5);
    expect(createJmaState(5, -500).phaseRatio).toBe(0.5);
    expect(createJmaState(5, 50).phaseRatio).toBe(2);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const len of [1, 5, 10, 20]) {
      const streamed = streamWithJsonRoundTrip(() => createJmaState(len, 50, 2), n, (s, i) => updateJma(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), jma(close, len, 50, 2), `jma(${len})`);
    }
  });

  it('matches the naive re-implementation of the published formula to 1e-9 on real candles', () => {
    for (const len of [5, 10, 20]) {
      expectCloseFrom(jma(close, len), naiveJma(close, len, 50, 2), 0, 1e-9, `jma(${len})`);
    }
    expectCloseFrom(jma(close, 7, -30, 3), naiveJma(close, 7, -30, 3), 0, 1e-9, 'jma(7,-30,3)');
  });
});
