import { describe, expect, it } from 'vitest';
import { ADX } from 'technicalindicators';
import { adx, createAdxState, updateAdx, type AdxValue } from './adx.indicator';
import { alignRight, btc1h, expectBitEqual, expectCloseFrom, firstFinite, streamWithJsonRoundTrip } from './indicator.testing';

const { high, low, close } = btc1h();
const n = close.length;

/** Naive ADX from the published (Wilder / Pine ta.dmi) formula with whole-array passes. */
function naiveAdx(h: Float64Array, l: Float64Array, c: Float64Array, diLen: number, adxLen: number) {
  const len = h.length;
  const tr: number[] = [];
  const pdm: number[] = [];
  const mdm: number[] = [];
  for (let i = 1; i < len; i++) {
    const up = h[i] - h[i - 1];
    const dn = l[i - 1] - l[i];
    pdm.push(up > dn && up > 0 ? up : 0);
    mdm.push(dn > up && dn > 0 ? dn : 0);
    tr.push(Math.max(h[i] - l[i], Math.abs(h[i] - c[i - 1]), Math.abs(l[i] - c[i - 1])));
  }
  const wilder = (x: number[], p: number): number[] => {
    const out = new Array<number>(x.length).fill(NaN);
    let v = 0;
    for (let i = 0; i < p; i++) v += x[i];
    v /= p;
    out[p - 1] = v;
    for (let i = p; i < x.length; i++) {
      v = (v * (p - 1) + x[i]) / p;
      out[i] = v;
    }
    return out;
  };
  const trS = wilder(tr, diLen);
  const pS = wilder(pdm, diLen);
  const mS = wilder(mdm, diLen);
  const plus = new Float64Array(len).fill(NaN);
  const minus = new Float64Array(len).fill(NaN);
  const dx: number[] = [];
  for (let k = diLen - 1; k < tr.length; k++) {
    plus[k + 1] = (100 * pS[k]) / trS[k];
    minus[k + 1] = (100 * mS[k]) / trS[k];
    dx.push((100 * Math.abs(plus[k + 1] - minus[k + 1])) / (plus[k + 1] + minus[k + 1]));
  }
  const adxS = wilder(dx, adxLen);
  const a = new Float64Array(len).fill(NaN);
  for (let j = 0; j < adxS.length; j++) a[diLen + j] = adxS[j];
  return { adx: a, plusDi: plus, minusDi: minus };
}

describe('ADX / DI (RMA smoothing, true range fixed)', () => {
  it('hand-computed with lengths 1/1', () => {
    const r = adx(Float64Array.from([10, 12, 11]), Float64Array.from([8, 9, 7]), Float64Array.from([9, 11, 8]), 1, 1);
    // bar 1: up 2, down -1 -> +DM 2; TR max(3, |12-9|, |9-9|) = 3 -> +DI 66.67, -DI 0, DX 100
    // bar 2: up -1, down 2 -> -DM 2; TR max(4, |11-11|, |7-11|) = 4 -> +DI 0, -DI 50, DX 100
    expect(r.plusDi[0]).toBeNaN();
    expect(r.plusDi[1]).toBeCloseTo(200 / 3, 12);
    expect(r.minusDi[1]).toBe(0);
    expect(r.adx[1]).toBe(100);
    expect(r.plusDi[2]).toBe(0);
    expect(r.minusDi[2]).toBe(50);
    expect(r.adx[2]).toBe(100);
  });

  it('uses the previous close in the true range (the original used the current one)', () => {
    // bar 1 gaps up: its TR must include |low - prevClose| = 5, not the bar range 1
    const r = adx(Float64Array.from([10, 16, 17]), Float64Array.from([9, 15, 16]), Float64Array.from([10, 16, 17]), 1, 1);
    // +DM = 6 (16 - 10), TR = max(1, 6, 5) = 6 -> +DI = 100
    expect(r.plusDi[1]).toBe(100);
  });

  it('reports DI from bar diLength and ADX from bar diLength + adxLength - 1', () => {
    const r = adx(high, low, close, 28, 28);
    expect(firstFinite(r.plusDi)).toBe(28);
    expect(firstFinite(r.adx)).toBe(55);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    for (const [d, a] of [
      [14, 14],
      [28, 28],
      [5, 9],
    ]) {
      const streamed = streamWithJsonRoundTrip(
        () => createAdxState(d, a),
        n,
        (s, i) => ({ ...updateAdx(s, high[i], low[i], close[i]) }),
      );
      const b = adx(high, low, close, d, a);
      expectBitEqual(Float64Array.from(streamed, (r: AdxValue) => r.adx), b.adx, 'adx');
      expectBitEqual(Float64Array.from(streamed, (r: AdxValue) => r.plusDi), b.plusDi, '+di');
      expectBitEqual(Float64Array.from(streamed, (r: AdxValue) => r.minusDi), b.minusDi, '-di');
    }
  });

  it('matches technicalindicators ADX (Wilder sums; same seeds) to 1e-9 from its first value', () => {
    const p = 14;
    const lib = ADX.calculate({ high: Array.from(high), low: Array.from(low), close: Array.from(close), period: p });
    const ours = adx(high, low, close, p, p);
    const from = 2 * p - 1;
    expect(lib.length).toBe(n - from);
    expect(expectCloseFrom(ours.adx, alignRight(lib.map((r) => r.adx), n), from, 1e-9, 'adx')).toBe(n - from);
    expectCloseFrom(ours.plusDi, alignRight(lib.map((r) => r.pdi), n), from, 1e-9, '+di');
    expectCloseFrom(ours.minusDi, alignRight(lib.map((r) => r.mdi), n), from, 1e-9, '-di');
  });

  it('matches a naive whole-array implementation with the GRID settings (28/28) to 1e-9', () => {
    const ours = adx(high, low, close, 28, 28);
    const ref = naiveAdx(high, low, close, 28, 28);
    expectCloseFrom(ours.plusDi, ref.plusDi, 28, 1e-9, '+di');
    expectCloseFrom(ours.minusDi, ref.minusDi, 28, 1e-9, '-di');
    expectCloseFrom(ours.adx, ref.adx, 55, 1e-9, 'adx');
  });
});
