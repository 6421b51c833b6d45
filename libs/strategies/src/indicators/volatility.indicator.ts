import { assertFinite, assertInt, assertSameLength, zeros } from './indicator.util';
import { createSmaState, type SmaState, updateSma } from './moving-average.indicator';

/*
 * True range, ATR, population standard deviation and Bollinger Bands with the original system's
 * semantics (docs/strategy-rules.md §5.1; shared/indicators/_atr.py, _bollinger.py).
 */

// ---------------------------------------------------------------------------------------------------
// True range: TR[0] = high - low, then max(high - low, |high - prevClose|, |low - prevClose|).
// ---------------------------------------------------------------------------------------------------

export interface TrueRangeState {
  /** Bars accepted so far, saturating at 1. */
  count: number;
  prevClose: number;
}

export function createTrueRangeState(): TrueRangeState {
  return { count: 0, prevClose: 0 };
}

/** Returns the bar's true range. A bar with a non-finite field returns NaN and is ignored. */
export function updateTrueRange(s: TrueRangeState, high: number, low: number, close: number): number {
  if (high - high !== 0 || low - low !== 0 || close - close !== 0) return NaN;
  const hl = high - low;
  let tr = hl;
  if (s.count === 0) {
    s.count = 1;
  } else {
    const pc = s.prevClose;
    const hc = Math.abs(high - pc);
    const lc = Math.abs(low - pc);
    if (hc > tr) tr = hc;
    if (lc > tr) tr = lc;
  }
  s.prevClose = close;
  return tr;
}

/** Batch true range: updateTrueRange's arithmetic with the state in locals (bit-identical, faster). */
export function trueRange(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>): Float64Array {
  const n = assertSameLength(high, low, close);
  const out = new Float64Array(n);
  let started = false;
  let pc = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    if (h - h !== 0 || l - l !== 0 || c - c !== 0) {
      out[i] = NaN;
      continue;
    }
    let tr = h - l;
    if (started) {
      const hc = Math.abs(h - pc);
      const lc = Math.abs(l - pc);
      if (hc > tr) tr = hc;
      if (lc > tr) tr = lc;
    } else {
      started = true;
    }
    pc = c;
    out[i] = tr;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// ATR: running SMA of TR for the first `length` bars (defined from bar 0), then Wilder
// (prev*(length-1) + tr)/length — exactly the original calc_atr.
// ---------------------------------------------------------------------------------------------------

export interface AtrState {
  readonly length: number;
  tr: TrueRangeState;
  /** Bars accepted so far, saturating at `length`. */
  count: number;
  sum: number;
  value: number;
}

export function createAtrState(length = 14): AtrState {
  assertInt('length', length, 1);
  return { length, tr: createTrueRangeState(), count: 0, sum: 0, value: 0 };
}

/** Returns the ATR including this bar. A bar with a non-finite field returns NaN and is ignored. */
export function updateAtr(s: AtrState, high: number, low: number, close: number): number {
  // updateTrueRange(s.tr, high, low, close), written out: called, its double arguments and result were boxed
  // on the heap on every bar (this runs on every candle of the HYPERRSI decision pass).
  if (high - high !== 0 || low - low !== 0 || close - close !== 0) return NaN;
  const trs = s.tr;
  let tr = high - low;
  if (trs.count === 0) {
    trs.count = 1;
  } else {
    const pc = trs.prevClose;
    const hc = Math.abs(high - pc);
    const lc = Math.abs(low - pc);
    if (hc > tr) tr = hc;
    if (lc > tr) tr = lc;
  }
  trs.prevClose = close;
  const length = s.length;
  const i = s.count;
  if (i < length) {
    s.sum += tr;
    s.count = i + 1;
    s.value = i === 0 ? tr : s.sum / (i + 1);
  } else {
    s.value = (s.value * (length - 1) + tr) / length;
  }
  return s.value;
}

/** Batch ATR: updateAtr's arithmetic with the state in locals (bit-identical, faster). */
export function atr(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, length = 14): Float64Array {
  const n = assertSameLength(high, low, close);
  assertInt('length', length, 1);
  const out = new Float64Array(n);
  let count = 0;
  let pc = 0;
  let sum = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    if (h - h !== 0 || l - l !== 0 || c - c !== 0) {
      out[i] = NaN;
      continue;
    }
    let tr = h - l;
    if (count > 0) {
      const hc = Math.abs(h - pc);
      const lc = Math.abs(l - pc);
      if (hc > tr) tr = hc;
      if (lc > tr) tr = lc;
    }
    pc = c;
    if (count < length) {
      sum += tr;
      v = count === 0 ? tr : sum / (count + 1);
      count++;
    } else {
      v = (v * (length - 1) + tr) / length;
    }
    out[i] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Rolling window moments (internal). Sums of deviations from a shift K: numerically stable for prices
// far from zero (the original's sum_sq/n - mean^2 cancels catastrophically on BTC-sized prices). Each
// time the ring wraps, K is reset to the window mean and both sums are recomputed exactly, so they
// cannot drift. O(1) amortised.
// ---------------------------------------------------------------------------------------------------

export interface WindowMomentsState {
  readonly length: number;
  buf: number[];
  pos: number;
  /** Values accepted so far, saturating at `length`. */
  count: number;
  /** The shift K. */
  shift: number;
  /** Sum of (x - K) over the window. */
  s1: number;
  /** Sum of (x - K)^2 over the window. */
  s2: number;
}

function createWindowMoments(length: number): WindowMomentsState {
  return { length, buf: zeros(length), pos: 0, count: 0, shift: 0, s1: 0, s2: 0 };
}

/** Pushes a finite x; returns true once the window is full. */
function pushWindowMoments(s: WindowMomentsState, x: number): boolean {
  const length = s.length;
  const buf = s.buf;
  const p = s.pos;
  if (s.count === length) {
    const d = buf[p] - s.shift;
    s.s1 -= d;
    s.s2 -= d * d;
  } else {
    if (s.count === 0) s.shift = x;
    s.count++;
  }
  buf[p] = x;
  const d = x - s.shift;
  s.s1 += d;
  s.s2 += d * d;
  let next = p + 1;
  if (next === length) {
    next = 0;
    let sum = 0;
    for (let i = 0; i < length; i++) sum += buf[i];
    const k = sum / length;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < length; i++) {
      const e = buf[i] - k;
      s1 += e;
      s2 += e * e;
    }
    s.shift = k;
    s.s1 = s1;
    s.s2 = s2;
  }
  s.pos = next;
  return s.count === length;
}

// ---------------------------------------------------------------------------------------------------
// Stdev: POPULATION standard deviation over `length` (original calc_stddev, Pine ta.stdev); NaN until
// `length` values; a variance that rounds to <= 0 gives 0, as in the original.
// ---------------------------------------------------------------------------------------------------

export type StdevState = WindowMomentsState;

export function createStdevState(length: number): StdevState {
  assertInt('length', length, 1);
  return createWindowMoments(length);
}

/** Returns the population stdev including `x`. Non-finite input → NaN, ignored. */
export function updateStdev(s: StdevState, x: number): number {
  if (x - x !== 0) return NaN;
  if (!pushWindowMoments(s, x)) return NaN;
  const n = s.length;
  const m = s.s1 / n;
  const v = s.s2 / n - m * m;
  return v > 0 ? Math.sqrt(v) : 0;
}

export function stdev(src: ArrayLike<number>, length: number): Float64Array {
  const s = createStdevState(length);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateStdev(s, src[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Bollinger Bands: middle = the (partial-window) SMA, bands = middle ± mult * SAMPLE stdev (ddof = 1),
// as the original calc_bollinger_bands. The middle is defined from the first bar; upper/lower are NaN
// until `length` closes (the original left them None).
// ---------------------------------------------------------------------------------------------------

export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
}

export interface BollingerState {
  readonly mult: number;
  sma: SmaState;
  moments: WindowMomentsState;
}

export function createBollingerState(length = 20, mult = 2): BollingerState {
  assertInt('length', length, 2);
  assertFinite('mult', mult);
  return { mult, sma: createSmaState(length), moments: createWindowMoments(length) };
}

/**
 * Returns { upper, middle, lower } including `close`. Pass `out` to have the result written into an
 * object you own (no allocation; the batch form does this); otherwise a new object is returned.
 * A non-finite close returns all-NaN and is ignored.
 */
export function updateBollinger(s: BollingerState, close: number, out?: BollingerValue): BollingerValue {
  const r = out ?? { upper: NaN, middle: NaN, lower: NaN };
  if (close - close !== 0) {
    r.upper = NaN;
    r.middle = NaN;
    r.lower = NaN;
    return r;
  }
  const middle = updateSma(s.sma, close);
  r.middle = middle;
  const m = s.moments;
  if (pushWindowMoments(m, close)) {
    const n = m.length;
    const v = (m.s2 - (m.s1 * m.s1) / n) / (n - 1);
    const dev = s.mult * (v > 0 ? Math.sqrt(v) : 0);
    r.upper = middle + dev;
    r.lower = middle - dev;
  } else {
    r.upper = NaN;
    r.lower = NaN;
  }
  return r;
}

export interface BollingerSeries {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

export function bollinger(close: ArrayLike<number>, length = 20, mult = 2): BollingerSeries {
  const s = createBollingerState(length, mult);
  const n = close.length;
  const upper = new Float64Array(n);
  const middle = new Float64Array(n);
  const lower = new Float64Array(n);
  const r: BollingerValue = { upper: NaN, middle: NaN, lower: NaN };
  for (let i = 0; i < n; i++) {
    updateBollinger(s, close[i], r);
    upper[i] = r.upper;
    middle[i] = r.middle;
    lower[i] = r.lower;
  }
  return { upper, middle, lower };
}
