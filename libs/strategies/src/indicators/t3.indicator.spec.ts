import { describe, expect, it } from 'vitest';
import { createT3State, t3, updateT3 } from './t3.indicator';
import { btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

function naiveEma(x: Float64Array, len: number): Float64Array {
  const a = 2 / (len + 1);
  const out = new Float64Array(x.length);
  out[0] = x[0];
  for (let i = 1; i < x.length; i++) out[i] = x[i] * a + out[i - 1] * (1 - a);
  return out;
}

/** Tillson's T3 from the published formula: GD applied three times == six EMAs with these weights. */
function naiveT3(src: Float64Array, len: number, a: number): Float64Array {
  const e1 = naiveEma(src, len);
  const e2 = naiveEma(e1, len);
  const e3 = naiveEma(e2, len);
  const e4 = naiveEma(e3, len);
  const e5 = naiveEma(e4, len);
  const e6 = naiveEma(e5, len);
  const c1 = -(a ** 3);
  const c2 = 3 * a ** 2 + 3 * a ** 3;
  const c3 = -6 * a ** 2 - 3 * a - 3 * a ** 3;
  const c4 = 1 + 3 * a + a ** 3 + 3 * a ** 2;
  return src.map((_, i) => c1 * e6[i] + c2 * e5[i] + c3 * e4[i] + c4 * e3[i]);
}

describe('T3 (original calc_t3: six chained first-value-seeded EMAs, a = 0.7)', () => {
  it('coefficients sum to 1, so a constant series stays constant', () => {
    const s = createT3State(5);
    expect(s.c1 + s.c2 + s.c3 + s.c4).toBeCloseTo(1, 14);
    const out = t3(new Float64Array(30).fill(4), 5);
    for (const v of out) expect(v).toBeCloseTo(4, 12);
  });

  it('hand-computed first two values (length 1 => alpha 1, every EMA equals the input)', () => {
    const out = t3(Float64Array.from([3, 5]), 1);
    expect(out[0]).toBeCloseTo(3, 12);
    expect(out[1]).toBeCloseTo(5, 12);
  });

  it('hand-computed second value for length 3 (alpha 0.5)', () => {
    // all EMAs start at 1; with x = 3: e1 = 2, e2 = 1.5, e3 = 1.25, e4 = 1.125, e5 = 1.0625, e6 = 1.03125
    const out = t3(Float64Array.from([1, 3]), 3, 0.7);
    const a = 0.7;
    const exp = -(a ** 3) * 1.03125 + (3 * a ** 2 + 3 * a ** 3) * 1.0625 + (-6 * a ** 2 - 3 * a - 3 * a ** 3) * 1.125 + (1 + 3 * a + a ** 3 + 3 * a ** 2) * 1.25;
    expect(out[1]).toBeCloseTo(exp, 12);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const len of [5, 20, 120]) {
      const streamed = streamWithJsonRoundTrip(() => createT3State(len), n, (s, i) => updateT3(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), t3(close, len), `t3(${len})`);
    }
  });

  it('matches the naive six-EMA re-implementation to 1e-9 on real candles', () => {
    for (const len of [20, 40, 120]) expectCloseFrom(t3(close, len), naiveT3(close, len, 0.7), 0, 1e-9, `t3(${len})`);
    expectCloseFrom(t3(close, 10, 0.5), naiveT3(close, 10, 0.5), 0, 1e-9, 't3(10, 0.5)');
  });
});
