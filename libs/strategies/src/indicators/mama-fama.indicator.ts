import { assertFinite, zeros } from './indicator.util';

/*
 * MAMA / FAMA — Ehlers' MESA Adaptive Moving Average ("MAMA", Stocks & Commodities, Sept 2001; the same
 * algorithm as TA-Lib's MAMA), fastLimit 0.5, slowLimit 0.05. Per bar, with H(x) = 0.0962x + 0.5769x[2]
 * - 0.5769x[4] - 0.0962x[6] and m = 0.075*period[1] + 0.54:
 *
 *   smooth = (4p + 3p[1] + 2p[2] + p[3]) / 10
 *   detrender = H(smooth)*m,  Q1 = H(detrender)*m,  I1 = detrender[3]
 *   jI = H(I1)*m,  jQ = H(Q1)*m
 *   I2 = I1 - jQ,  Q2 = Q1 + jI,  then I2 = 0.2I2 + 0.8I2[1],  Q2 = 0.2Q2 + 0.8Q2[1]
 *   Re = I2*I2[1] + Q2*Q2[1],  Im = I2*Q2[1] - Q2*I2[1],  then Re/Im smoothed 0.2/0.8
 *   period = 360/atan°(Im/Re) if Im != 0 and Re != 0 (else keeps period[1]); clamp to
 *            [0.67, 1.5]*period[1], then to [6, 50]; period = 0.2*period + 0.8*period[1]
 *   phase = atan°(Q1/I1) if I1 != 0 (else keeps phase[1]);  dPhase = max(phase[1] - phase, 1)
 *   alpha = max(fastLimit / dPhase, slowLimit)
 *   MAMA = alpha*p + (1-alpha)*MAMA[1],  FAMA = 0.5alpha*MAMA + (1-0.5alpha)*FAMA[1]
 *
 * Start-up (our choice, documented): the series is taken as flat before its first bar (price and smooth
 * history = the first values, so the filters start at ~0 instead of ringing), the derived histories
 * (detrender, Q1, I2, Q2, Re, Im, period, phase) start at 0, and MAMA/FAMA are seeded with the first
 * price, so values exist from bar 0; the adaptive period needs roughly 50 bars to settle.
 *
 * The original `_mama_fama.py::compute_mama_fama` was not this algorithm (it ran the Hilbert pipeline on
 * one-element arrays, so every np.roll was a no-op, mixed in a Kaufman efficiency ratio and EMA(5)-
 * smoothed the result); the reference asks for Ehlers' MAMA/FAMA with these limits.
 */

export interface MamaFamaValue {
  mama: number;
  fama: number;
}

const RING = 16; // >= 10 lags needed (detrender[9])
const MASK = RING - 1;
const RAD2DEG = 180 / Math.PI;

export interface MamaFamaState {
  readonly fastLimit: number;
  readonly slowLimit: number;
  /** Bars accepted so far, saturating at 1. */
  count: number;
  /** Ring slot of the newest bar. */
  pos: number;
  price: number[];
  smooth: number[];
  detrender: number[];
  q1: number[];
  i2: number;
  q2: number;
  re: number;
  im: number;
  period: number;
  phase: number;
  mama: number;
  fama: number;
}

export function createMamaFamaState(fastLimit = 0.5, slowLimit = 0.05): MamaFamaState {
  assertFinite('fastLimit', fastLimit);
  assertFinite('slowLimit', slowLimit);
  if (!(fastLimit > 0 && slowLimit > 0)) throw new RangeError('fastLimit and slowLimit must be > 0');
  return {
    fastLimit,
    slowLimit,
    count: 0,
    pos: 0,
    price: zeros(RING),
    smooth: zeros(RING),
    detrender: zeros(RING),
    q1: zeros(RING),
    i2: 0,
    q2: 0,
    re: 0,
    im: 0,
    period: 0,
    phase: 0,
    mama: 0,
    fama: 0,
  };
}

/**
 * Returns { mama, fama } including `price`. Pass `out` to have the result written into an object you
 * own (no allocation; the batch form does this); otherwise a new object is returned.
 * A non-finite price returns NaNs and is ignored.
 */
export function updateMamaFama(s: MamaFamaState, price: number, out?: MamaFamaValue): MamaFamaValue {
  const r = out ?? { mama: NaN, fama: NaN };
  if (price - price !== 0) {
    r.mama = NaN;
    r.fama = NaN;
    return r;
  }
  const pr = s.price;
  const sm = s.smooth;
  const de = s.detrender;
  const qq = s.q1;
  const first = s.count === 0;
  let t: number;
  if (first) {
    s.count = 1;
    t = 0;
    for (let k = 0; k < RING; k++) pr[k] = price;
    s.mama = price;
    s.fama = price;
  } else {
    t = (s.pos + 1) & MASK;
  }
  s.pos = t;
  pr[t] = price;
  const smooth = (4 * price + 3 * pr[(t - 1) & MASK] + 2 * pr[(t - 2) & MASK] + pr[(t - 3) & MASK]) / 10;
  if (first) {
    for (let k = 0; k < RING; k++) sm[k] = smooth; // flat smooth history before the first bar
  } else {
    sm[t] = smooth;
  }

  const prevPeriod = s.period;
  const m = 0.075 * prevPeriod + 0.54;
  const det =
    (0.0962 * smooth + 0.5769 * sm[(t - 2) & MASK] - 0.5769 * sm[(t - 4) & MASK] - 0.0962 * sm[(t - 6) & MASK]) * m;
  de[t] = det;
  const q1 = (0.0962 * det + 0.5769 * de[(t - 2) & MASK] - 0.5769 * de[(t - 4) & MASK] - 0.0962 * de[(t - 6) & MASK]) * m;
  qq[t] = q1;
  const i1 = de[(t - 3) & MASK];
  const jI =
    (0.0962 * i1 + 0.5769 * de[(t - 5) & MASK] - 0.5769 * de[(t - 7) & MASK] - 0.0962 * de[(t - 9) & MASK]) * m;
  const jQ = (0.0962 * q1 + 0.5769 * qq[(t - 2) & MASK] - 0.5769 * qq[(t - 4) & MASK] - 0.0962 * qq[(t - 6) & MASK]) * m;

  const prevI2 = s.i2;
  const prevQ2 = s.q2;
  const i2 = 0.2 * (i1 - jQ) + 0.8 * prevI2;
  const q2 = 0.2 * (q1 + jI) + 0.8 * prevQ2;
  const re = 0.2 * (i2 * prevI2 + q2 * prevQ2) + 0.8 * s.re;
  const im = 0.2 * (i2 * prevQ2 - q2 * prevI2) + 0.8 * s.im;
  s.i2 = i2;
  s.q2 = q2;
  s.re = re;
  s.im = im;

  let period = prevPeriod;
  if (im !== 0 && re !== 0) period = 360 / (Math.atan(im / re) * RAD2DEG);
  if (period > 1.5 * prevPeriod) period = 1.5 * prevPeriod;
  if (period < 0.67 * prevPeriod) period = 0.67 * prevPeriod;
  if (period < 6) period = 6;
  if (period > 50) period = 50;
  period = 0.2 * period + 0.8 * prevPeriod;
  s.period = period;

  const prevPhase = s.phase;
  const phase = i1 !== 0 ? Math.atan(q1 / i1) * RAD2DEG : prevPhase;
  s.phase = phase;
  let dPhase = prevPhase - phase;
  if (dPhase < 1) dPhase = 1;
  let alpha = s.fastLimit / dPhase;
  if (alpha < s.slowLimit) alpha = s.slowLimit;

  const mama = alpha * price + (1 - alpha) * s.mama;
  const halfAlpha = 0.5 * alpha;
  const fama = halfAlpha * mama + (1 - halfAlpha) * s.fama;
  s.mama = mama;
  s.fama = fama;
  r.mama = mama;
  r.fama = fama;
  return r;
}

export interface MamaFamaSeries {
  mama: Float64Array;
  fama: Float64Array;
}

export function mamaFama(close: ArrayLike<number>, fastLimit = 0.5, slowLimit = 0.05): MamaFamaSeries {
  const s = createMamaFamaState(fastLimit, slowLimit);
  const n = close.length;
  const mama = new Float64Array(n);
  const fama = new Float64Array(n);
  const r: MamaFamaValue = { mama: NaN, fama: NaN };
  for (let i = 0; i < n; i++) {
    updateMamaFama(s, close[i], r);
    mama[i] = r.mama;
    fama[i] = r.fama;
  }
  return { mama, fama };
}
