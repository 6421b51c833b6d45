import { describe, expect, it } from 'vitest';
import { createPivotHighState, createPivotLowState, pivotHigh, pivotLow, updatePivotHigh, updatePivotLow } from './pivot.indicator';
import { stdev } from './volatility.indicator';
import { sma } from './moving-average.indicator';
import { btc1h, expectBitEqual, streamWithJsonRoundTrip } from './indicator.testing';

const { high, low, close } = btc1h();
const n = close.length;

/** Naive Pine pivot, reported at the confirming bar t for the candidate at t - right. */
function naivePivot(src: Float64Array, left: number, right: number, isHigh: boolean): Float64Array {
  const out = new Float64Array(src.length).fill(NaN);
  for (let t = left + right; t < src.length; t++) {
    const c = t - right;
    const v = src[c];
    if (Number.isNaN(v)) continue;
    let ok = true;
    for (let j = c - left; j < c && ok; j++) if (isHigh ? src[j] > v : src[j] < v) ok = false; // equal left bar allowed
    for (let j = c + 1; j <= t && ok; j++) if (isHigh ? src[j] >= v : src[j] <= v) ok = false; // equal right bar disqualifies
    if (ok) out[t] = v;
  }
  return out;
}

/** BBW as in BB_State: (upper - lower) * 10 / basis with basis = SMA(15), dev = 1.5 * stdev(15). NaN at the start. */
function bbw(c: Float64Array): Float64Array {
  const basis = sma(c, 15);
  const sd = stdev(c, 15);
  return basis.map((b, i) => (2 * 1.5 * sd[i] * 10) / b);
}

describe('Pivot high / low (Pine ta.pivothigh / ta.pivotlow, reported at the confirming bar)', () => {
  it('hand-computed: the value is reported `right` bars after the pivot bar', () => {
    const src = Float64Array.from([1, 3, 2, 5, 4, 4, 6]);
    // candidates: 3 @1 (confirmed @2), 5 @3 (confirmed @4); 4 @5 fails (6 to its right)
    expectBitEqual(pivotHigh(src, 1, 1), Float64Array.from([NaN, NaN, 3, NaN, 5, NaN, NaN]));
    // lows: 2 @2 (confirmed @3); 4 @4 has an equal right neighbour -> no; 4 @5 has an equal left neighbour -> yes (@6)
    expectBitEqual(pivotLow(src, 1, 1), Float64Array.from([NaN, NaN, NaN, 2, NaN, NaN, 4]));
  });

  it('follows TradingView ties: an equal left bar is allowed, an equal right bar is not', () => {
    expectBitEqual(pivotHigh(Float64Array.from([1, 5, 5, 1]), 1, 1), Float64Array.from([NaN, NaN, NaN, 5]));
    expectBitEqual(pivotLow(Float64Array.from([9, 2, 2, 9]), 1, 1), Float64Array.from([NaN, NaN, NaN, 2]));
  });

  it('needs a full left + right + 1 window and never reports a NaN candidate', () => {
    expectBitEqual(pivotHigh(Float64Array.from([9, 1, 0]), 2, 1), Float64Array.from([NaN, NaN, NaN]));
    expectBitEqual(pivotHigh(Float64Array.from([1, NaN, 0, 0]), 1, 1), Float64Array.from([NaN, NaN, NaN, NaN]));
    // a NaN neighbour is ignored (as the original), and still counts as a bar
    expectBitEqual(pivotHigh(Float64Array.from([NaN, 5, 1]), 1, 1), Float64Array.from([NaN, NaN, 5]));
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    const ph = streamWithJsonRoundTrip(() => createPivotHighState(20, 10), n, (s, i) => updatePivotHigh(s, high[i]));
    expectBitEqual(Float64Array.from(ph), pivotHigh(high, 20, 10));
    const pl = streamWithJsonRoundTrip(() => createPivotLowState(30, 10), n, (s, i) => updatePivotLow(s, low[i]));
    expectBitEqual(Float64Array.from(pl), pivotLow(low, 30, 10));
  });

  it('matches the naive re-implementation on real highs/lows and on the BBW series (NaN start) of BB_State', () => {
    for (const [l, r] of [
      [20, 10],
      [30, 10],
      [2, 2],
      [0, 3],
      [3, 0],
    ]) {
      expectBitEqual(pivotHigh(high, l, r), naivePivot(high, l, r, true), `ph(${l},${r})`);
      expectBitEqual(pivotLow(low, l, r), naivePivot(low, l, r, false), `pl(${l},${r})`);
    }
    const w = bbw(close);
    expect(Number.isNaN(w[0])).toBe(true);
    const ph = pivotHigh(w, 20, 10);
    expectBitEqual(ph, naivePivot(w, 20, 10, true), 'bbw ph');
    expectBitEqual(pivotLow(w, 20, 10), naivePivot(w, 20, 10, false), 'bbw pl');
    expect(ph.filter((v) => !Number.isNaN(v)).length).toBeGreaterThan(50);
  });
});
