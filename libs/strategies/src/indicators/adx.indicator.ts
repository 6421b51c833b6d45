import { assertInt, assertSameLength } from './indicator.util';
import { createRmaState, type RmaState, updateRma } from './moving-average.indicator';

/*
 * ADX / +DI / -DI with RMA (Wilder) smoothing — the original `shared/indicators/_adx.py::calculate_adx`
 * (used by GRID's 4h regime filter with 28/28), with its true-range bugs fixed (reference §5.1: the
 * original passed three arrays to np.maximum, and calculate_adx used the CURRENT close instead of the
 * previous one). Here, as in Pine's ta.dmi:
 *
 *   up = high - high[1], down = low[1] - low
 *   +DM = up > down && up > 0 ? up : 0,  -DM = down > up && down > 0 ? down : 0
 *   TR  = max(high - low, |high - close[1]|, |low - close[1]|)
 *   +DI = 100 * rma(+DM, diLength) / rma(TR, diLength)     (0 when the smoothed TR is 0)
 *   dx  = 100 * |+DI - -DI| / (+DI + -DI)                   (0 when both are 0)
 *   adx = rma(dx, adxLength)
 *
 * The first bar has no previous bar, so DM/TR start at bar 1; +DI/-DI are defined from bar diLength
 * and ADX from bar diLength + adxLength - 1 (NaN before).
 */

export interface AdxValue {
  adx: number;
  plusDi: number;
  minusDi: number;
}

export interface AdxState {
  /** Bars accepted so far, saturating at 1. */
  count: number;
  prevHigh: number;
  prevLow: number;
  prevClose: number;
  tr: RmaState;
  plusDm: RmaState;
  minusDm: RmaState;
  dx: RmaState;
}

export function createAdxState(diLength = 14, adxLength = 14): AdxState {
  assertInt('diLength', diLength, 1);
  assertInt('adxLength', adxLength, 1);
  return {
    count: 0,
    prevHigh: 0,
    prevLow: 0,
    prevClose: 0,
    tr: createRmaState(diLength),
    plusDm: createRmaState(diLength),
    minusDm: createRmaState(diLength),
    dx: createRmaState(adxLength),
  };
}

/**
 * Returns { adx, plusDi, minusDi } including this bar. Pass `out` to have the result written into an
 * object you own (no allocation; the batch form does this); otherwise a new object is returned.
 * A bar with a non-finite field returns all-NaN and is ignored.
 */
export function updateAdx(s: AdxState, high: number, low: number, close: number, out?: AdxValue): AdxValue {
  const r = out ?? { adx: NaN, plusDi: NaN, minusDi: NaN };
  r.adx = NaN;
  r.plusDi = NaN;
  r.minusDi = NaN;
  if (high - high !== 0 || low - low !== 0 || close - close !== 0) return r;
  if (s.count === 0) {
    s.count = 1;
    s.prevHigh = high;
    s.prevLow = low;
    s.prevClose = close;
    return r;
  }
  const up = high - s.prevHigh;
  const down = s.prevLow - low;
  const pc = s.prevClose;
  s.prevHigh = high;
  s.prevLow = low;
  s.prevClose = close;
  const plusDm = up > down && up > 0 ? up : 0;
  const minusDm = down > up && down > 0 ? down : 0;
  let tr = high - low;
  const hc = Math.abs(high - pc);
  const lc = Math.abs(low - pc);
  if (hc > tr) tr = hc;
  if (lc > tr) tr = lc;

  const trS = updateRma(s.tr, tr);
  const pS = updateRma(s.plusDm, plusDm);
  const mS = updateRma(s.minusDm, minusDm);
  if (trS !== trS) return r; // seed window not complete yet
  const plusDi = trS === 0 ? 0 : 100 * (pS / trS);
  const minusDi = trS === 0 ? 0 : 100 * (mS / trS);
  const sum = plusDi + minusDi;
  const dx = sum === 0 ? 0 : 100 * (Math.abs(plusDi - minusDi) / sum);
  r.plusDi = plusDi;
  r.minusDi = minusDi;
  r.adx = updateRma(s.dx, dx);
  return r;
}

export interface AdxSeries {
  adx: Float64Array;
  plusDi: Float64Array;
  minusDi: Float64Array;
}

/** Batch ADX: updateAdx's (and updateRma's) arithmetic with the state in locals (bit-identical, faster). */
export function adx(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  diLength = 14,
  adxLength = 14,
): AdxSeries {
  const n = assertSameLength(high, low, close);
  const { alpha: da, beta: db } = createRmaState(diLength);
  const { alpha: xa, beta: xb } = createRmaState(adxLength);
  const a = new Float64Array(n);
  const p = new Float64Array(n);
  const m = new Float64Array(n);
  let started = false;
  let ph = 0;
  let pl = 0;
  let pc = 0;
  let diCount = 0; // the three DI smoothers advance together
  let trSum = 0;
  let pSum = 0;
  let mSum = 0;
  let trS = 0;
  let pS = 0;
  let mS = 0;
  let dxCount = 0;
  let dxSum = 0;
  let adxV = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    a[i] = NaN;
    p[i] = NaN;
    m[i] = NaN;
    if (h - h !== 0 || l - l !== 0 || c - c !== 0) continue;
    if (!started) {
      started = true;
      ph = h;
      pl = l;
      pc = c;
      continue;
    }
    const up = h - ph;
    const down = pl - l;
    const prevClose = pc;
    ph = h;
    pl = l;
    pc = c;
    const plusDm = up > down && up > 0 ? up : 0;
    const minusDm = down > up && down > 0 ? down : 0;
    let tr = h - l;
    const hc = Math.abs(h - prevClose);
    const lc = Math.abs(l - prevClose);
    if (hc > tr) tr = hc;
    if (lc > tr) tr = lc;
    if (diCount < diLength) {
      trSum += tr;
      pSum += plusDm;
      mSum += minusDm;
      diCount++;
      if (diCount < diLength) continue;
      trS = trSum / diLength;
      pS = pSum / diLength;
      mS = mSum / diLength;
    } else {
      trS = da * tr + db * trS;
      pS = da * plusDm + db * pS;
      mS = da * minusDm + db * mS;
    }
    const plusDi = trS === 0 ? 0 : 100 * (pS / trS);
    const minusDi = trS === 0 ? 0 : 100 * (mS / trS);
    const sum = plusDi + minusDi;
    const dx = sum === 0 ? 0 : 100 * (Math.abs(plusDi - minusDi) / sum);
    p[i] = plusDi;
    m[i] = minusDi;
    if (dxCount < adxLength) {
      dxSum += dx;
      dxCount++;
      if (dxCount < adxLength) continue;
      adxV = dxSum / adxLength;
    } else {
      adxV = xa * dx + xb * adxV;
    }
    a[i] = adxV;
  }
  return { adx: a, plusDi: p, minusDi: m };
}
