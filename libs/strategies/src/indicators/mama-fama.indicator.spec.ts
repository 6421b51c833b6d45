import { describe, expect, it } from 'vitest';
import { createMamaFamaState, mamaFama, updateMamaFama, type MamaFamaValue } from './mama-fama.indicator';
import { btc1h, expectBitEqual, expectCloseFrom, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

/**
 * Naive whole-array port of Ehlers' MAMA EasyLanguage code (Stocks & Commodities, Sept 2001), with the
 * start-up convention documented in mama-fama.indicator.ts: flat price/smooth history before bar 0,
 * zero history for the derived series, MAMA/FAMA seeded with the first price.
 */
function naiveMama(price: Float64Array, fast: number, slow: number) {
  const len = price.length;
  const P = (i: number) => (i < 0 ? price[0] : price[i]);
  const smooth: number[] = [];
  const det: number[] = [];
  const Q1: number[] = [];
  const I1: number[] = [];
  const I2: number[] = [];
  const Q2: number[] = [];
  const Re: number[] = [];
  const Im: number[] = [];
  const Period: number[] = [];
  const Phase: number[] = [];
  const mama = new Float64Array(len);
  const fama = new Float64Array(len);
  const at = (a: number[], i: number, before: number) => (i < 0 ? before : a[i]);
  const deg = (x: number) => (x * 180) / Math.PI;
  for (let i = 0; i < len; i++) {
    smooth[i] = (4 * P(i) + 3 * P(i - 1) + 2 * P(i - 2) + P(i - 3)) / 10;
    const S = (k: number) => at(smooth, i - k, smooth[0]);
    const prevPeriod = at(Period, i - 1, 0);
    const m = 0.075 * prevPeriod + 0.54;
    det[i] = (0.0962 * S(0) + 0.5769 * S(2) - 0.5769 * S(4) - 0.0962 * S(6)) * m;
    const D = (k: number) => at(det, i - k, 0);
    Q1[i] = (0.0962 * D(0) + 0.5769 * D(2) - 0.5769 * D(4) - 0.0962 * D(6)) * m;
    I1[i] = D(3);
    const I = (k: number) => at(I1, i - k, 0);
    const Q = (k: number) => at(Q1, i - k, 0);
    const jI = (0.0962 * I(0) + 0.5769 * I(2) - 0.5769 * I(4) - 0.0962 * I(6)) * m;
    const jQ = (0.0962 * Q(0) + 0.5769 * Q(2) - 0.5769 * Q(4) - 0.0962 * Q(6)) * m;
    I2[i] = 0.2 * (I1[i] - jQ) + 0.8 * at(I2, i - 1, 0);
    Q2[i] = 0.2 * (Q1[i] + jI) + 0.8 * at(Q2, i - 1, 0);
    Re[i] = 0.2 * (I2[i] * at(I2, i - 1, 0) + Q2[i] * at(Q2, i - 1, 0)) + 0.8 * at(Re, i - 1, 0);
    Im[i] = 0.2 * (I2[i] * at(Q2, i - 1, 0) - Q2[i] * at(I2, i - 1, 0)) + 0.8 * at(Im, i - 1, 0);
    let p = prevPeriod;
    if (Im[i] !== 0 && Re[i] !== 0) p = 360 / deg(Math.atan(Im[i] / Re[i]));
    p = Math.min(p, 1.5 * prevPeriod);
    p = Math.max(p, 0.67 * prevPeriod);
    p = Math.min(Math.max(p, 6), 50);
    Period[i] = 0.2 * p + 0.8 * prevPeriod;
    const prevPhase = at(Phase, i - 1, 0);
    Phase[i] = I1[i] !== 0 ? deg(Math.atan(Q1[i] / I1[i])) : prevPhase;
    const dPhase = Math.max(prevPhase - Phase[i], 1);
    const alpha = Math.max(fast / dPhase, slow);
    const pm = i === 0 ? price[0] : mama[i - 1];
    const pf = i === 0 ? price[0] : fama[i - 1];
    mama[i] = alpha * price[i] + (1 - alpha) * pm;
    fama[i] = 0.5 * alpha * mama[i] + (1 - 0.5 * alpha) * pf;
  }
  return { mama, fama };
}

describe('MAMA / FAMA (Ehlers, fastLimit 0.5, slowLimit 0.05)', () => {
  it('stays on a constant series', () => {
    const r = mamaFama(new Float64Array(100).fill(250));
    for (let i = 0; i < 100; i++) {
      expect(r.mama[i]).toBeCloseTo(250, 9);
      expect(r.fama[i]).toBeCloseTo(250, 9);
    }
  });

  it('moves MAMA toward the price by an alpha within [slowLimit, fastLimit] on every bar', () => {
    const r = mamaFama(close);
    let checked = 0;
    for (let i = 1; i < n; i++) {
      const gap = close[i] - r.mama[i - 1];
      if (Math.abs(gap) < 1) continue; // the implied alpha is ill-conditioned on tiny gaps
      const alpha = (r.mama[i] - r.mama[i - 1]) / gap;
      expect(alpha).toBeGreaterThan(0.05 - 1e-9);
      expect(alpha).toBeLessThan(0.5 + 1e-9);
      checked++;
    }
    expect(checked).toBeGreaterThan(n * 0.9);
  });

  it('FAMA follows MAMA more slowly (smaller mean absolute bar-to-bar change)', () => {
    const r = mamaFama(close);
    let dm = 0;
    let df = 0;
    for (let i = 100; i < n; i++) {
      dm += Math.abs(r.mama[i] - r.mama[i - 1]);
      df += Math.abs(r.fama[i] - r.fama[i - 1]);
    }
    expect(df).toBeLessThan(dm);
  });

  it('streaming equals batch bit for bit, with a JSON round-trip of the state', () => {
    const streamed = streamWithJsonRoundTrip(createMamaFamaState, n, (s, i) => ({ ...updateMamaFama(s, close[i]) }));
    const b = mamaFama(close);
    expectBitEqual(Float64Array.from(streamed, (r: MamaFamaValue) => r.mama), b.mama, 'mama');
    expectBitEqual(Float64Array.from(streamed, (r: MamaFamaValue) => r.fama), b.fama, 'fama');
  });

  it('matches the naive whole-array port of the published algorithm to 1e-9 on real candles', () => {
    for (const [f, s] of [
      [0.5, 0.05],
      [0.3, 0.02],
    ]) {
      const ours = mamaFama(close, f, s);
      const ref = naiveMama(close, f, s);
      expectCloseFrom(ours.mama, ref.mama, 0, 1e-9, 'mama');
      expectCloseFrom(ours.fama, ref.fama, 0, 1e-9, 'fama');
    }
  });
});
