import { describe, expect, it } from 'vitest';
import { createVidyaState, updateVidya, vidya } from './vidya.indicator';
import { btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

/** Naive port of the original calc_vidya loop (CMO over the 9 previous changes, d[0] = 0). */
function naiveVidya(src: Float64Array, period: number, cmoLen = 9): Float64Array {
  const out = new Float64Array(src.length);
  out[0] = src[0];
  for (let i = 1; i < src.length; i++) {
    let up = 0;
    let down = 0;
    for (let k = 1; k <= cmoLen; k++) {
      if (i - k < 0) break;
      const diff = i - k - 1 >= 0 ? src[i - k] - src[i - k - 1] : 0;
      if (diff > 0) up += diff;
      else down -= diff;
    }
    const cmo = up + down !== 0 ? Math.abs((up - down) / (up + down)) : 1;
    out[i] = out[i - 1] + (2 / (period + 1)) * cmo * (src[i] - out[i - 1]);
  }
  return out;
}

describe('VIDYA (original calc_vidya)', () => {
  it('hand-computed with length 3 (alpha 0.5)', () => {
    // v0 = 1; i=1: no previous change -> cmo 1 -> 1.5; i=2: changes {1} -> cmo 1 -> 2.25;
    // i=3 (x=2): changes {1, 1} -> 2.125; i=4 (x=4): changes {-1, 1, 1} -> cmo 1/3 -> 2.125 + 0.5/3*1.875
    const out = vidya(Float64Array.from([1, 2, 3, 2, 4]), 3);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 1.5, 2.25, 2.125]);
    expect(out[4]).toBeCloseTo(2.4375, 14);
  });

  it('uses only the last cmoLength changes', () => {
    // 12 rises then a fall: with cmoLength 2 the window at the last bar is {+1, -5}
    const src = Float64Array.from([...Array.from({ length: 12 }, (_, i) => i), 6, 7]);
    const out = vidya(src, 1, 2); // alpha = 1 -> vidya = prev + cmo*(x - prev)
    const cmo = Math.abs((1 - 5) / (1 + 5));
    expect(out[13]).toBeCloseTo(out[12] + cmo * (7 - out[12]), 12);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const len of [3, 9, 21]) {
      const streamed = streamWithJsonRoundTrip(() => createVidyaState(len), n, (s, i) => updateVidya(s, close[i]));
      expectBitEqual(Float64Array.from(streamed), vidya(close, len), `vidya(${len})`);
    }
  });

  it('matches the naive port of the original loop on real candles (same summation order => exact)', () => {
    for (const len of [3, 9, 21]) expectCloseFrom(vidya(close, len), naiveVidya(close, len), 0, 0, `vidya(${len})`);
    expectCloseFrom(vidya(close, 14, 5), naiveVidya(close, 14, 5), 0, 1e-12, 'vidya(14,5)');
  });
});
