import { assertInt, zeros } from './indicator.util';

/*
 * SMA, EMA, RMA and WMA with the ORIGINAL system's semantics (docs/strategy-rules.md §5.1,
 * shared/indicators/_moving_averages.py). Each has a streaming form (create*State + update*, O(1) per
 * value, state is plain JSON data without NaN) and a batch form over a Float64Array that runs the
 * streaming update, so both agree bit for bit.
 */

// ---------------------------------------------------------------------------------------------------
// SMA — Pine-style: NaN-skipping and averaging partial windows at the start.
// ---------------------------------------------------------------------------------------------------

export interface SmaState {
  readonly length: number;
  /** Ring buffer of the last `length` inputs; a missing (non-finite) input is stored as 0 with valid 0. */
  buf: number[];
  /** 1 where buf holds a real value, 0 for a missing one. */
  valid: number[];
  /** Next slot to write. */
  pos: number;
  /** Slots written so far, saturating at `length`. */
  filled: number;
  /** Sum of the valid values in the window. */
  sum: number;
  /** Number of valid values in the window. */
  validCount: number;
}

export function createSmaState(length: number): SmaState {
  assertInt('length', length, 1);
  return { length, buf: zeros(length), valid: zeros(length), pos: 0, filled: 0, sum: 0, validCount: 0 };
}

/**
 * Adds `x` and returns the mean of the valid values among the last `length` inputs (fewer at the
 * start: the original `calc_sma` averages partial windows). Non-finite inputs count as missing bars:
 * they take a slot in the window but not a place in the average. NaN only while the window holds no
 * valid value. The running sum is recomputed exactly each time the ring wraps, so it cannot drift.
 */
export function updateSma(s: SmaState, x: number): number {
  const length = s.length;
  const buf = s.buf;
  const valid = s.valid;
  const p = s.pos;
  if (s.filled === length) {
    if (valid[p] === 1) {
      s.sum -= buf[p];
      s.validCount--;
    }
  } else {
    s.filled++;
  }
  if (x - x === 0) {
    buf[p] = x;
    valid[p] = 1;
    s.sum += x;
    s.validCount++;
  } else {
    buf[p] = 0;
    valid[p] = 0;
  }
  let next = p + 1;
  if (next === length) {
    next = 0;
    let sum = 0;
    for (let i = 0; i < length; i++) sum += buf[i];
    s.sum = sum;
  }
  s.pos = next;
  return s.validCount > 0 ? s.sum / s.validCount : NaN;
}

/**
 * Batch SMA. The same arithmetic as updateSma in the same order (the window is read from `src` instead
 * of a ring buffer; a missing value contributes nothing), so it equals the streaming form bit for bit.
 */
export function sma(src: ArrayLike<number>, length: number): Float64Array {
  assertInt('length', length, 1);
  const n = src.length;
  const out = new Float64Array(n);
  let sum = 0;
  let validCount = 0;
  let untilWrap = length; // the streaming ring wraps after every `length` values
  for (let i = 0; i < n; i++) {
    if (i >= length) {
      const old = src[i - length];
      if (old - old === 0) {
        sum -= old;
        validCount--;
      }
    }
    const x = src[i];
    if (x - x === 0) {
      sum += x;
      validCount++;
    }
    if (--untilWrap === 0) {
      untilWrap = length;
      let exact = 0;
      for (let k = i - length + 1; k <= i; k++) {
        const v = src[k];
        exact += v - v === 0 ? v : 0;
      }
      sum = exact;
    }
    out[i] = validCount > 0 ? sum / validCount : NaN;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// EMA — seeded with the first value, alpha = 2/(length+1) (original calc_ema).
// ---------------------------------------------------------------------------------------------------

export interface EmaState {
  readonly length: number;
  readonly alpha: number;
  /** 1 - alpha */
  readonly beta: number;
  /** Values accepted so far, saturating at 1 (0 = not started). */
  count: number;
  value: number;
}

export function createEmaState(length: number): EmaState {
  assertInt('length', length, 1);
  const alpha = 2 / (length + 1.0);
  return { length, alpha, beta: 1 - alpha, count: 0, value: 0 };
}

/** Returns the EMA including `x`. The first value seeds it. A non-finite input returns NaN and is ignored. */
export function updateEma(s: EmaState, x: number): number {
  if (x - x !== 0) return NaN;
  if (s.count === 0) {
    s.count = 1;
    s.value = x;
    return x;
  }
  const v = x * s.alpha + s.value * s.beta;
  s.value = v;
  return v;
}

/** Batch EMA: updateEma's arithmetic with the state in locals (bit-identical, faster). */
export function ema(src: ArrayLike<number>, length: number): Float64Array {
  const { alpha, beta } = createEmaState(length);
  const n = src.length;
  const out = new Float64Array(n);
  let started = false;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i];
    if (x - x !== 0) {
      out[i] = NaN;
      continue;
    }
    if (started) {
      v = x * alpha + v * beta;
    } else {
      started = true;
      v = x;
    }
    out[i] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// RMA — Wilder's smoothing seeded with the SMA of the first `length` values (original calc_rma, Pine
// ta.rma). The original returns a shorter list; here the output stays aligned with the input and is NaN
// for the first length-1 values.
// ---------------------------------------------------------------------------------------------------

export interface RmaState {
  readonly length: number;
  readonly alpha: number;
  /** 1 - alpha */
  readonly beta: number;
  /** Values accepted so far, saturating at `length`. */
  count: number;
  /** Sum of the seed window while count < length. */
  sum: number;
  value: number;
}

export function createRmaState(length: number): RmaState {
  assertInt('length', length, 1);
  const alpha = 1.0 / length;
  return { length, alpha, beta: 1 - alpha, count: 0, sum: 0, value: 0 };
}

/** Returns the RMA including `x`: NaN until `length` values, then alpha*x + (1-alpha)*prev. Non-finite input → NaN, ignored. */
export function updateRma(s: RmaState, x: number): number {
  if (x - x !== 0) return NaN;
  const length = s.length;
  if (s.count < length) {
    s.sum += x;
    s.count++;
    if (s.count < length) return NaN;
    s.value = s.sum / length;
    return s.value;
  }
  const v = s.alpha * x + s.beta * s.value;
  s.value = v;
  return v;
}

/** Batch RMA: updateRma's arithmetic with the state in locals (bit-identical, faster). */
export function rma(src: ArrayLike<number>, length: number): Float64Array {
  const { alpha, beta } = createRmaState(length);
  const n = src.length;
  const out = new Float64Array(n);
  let count = 0;
  let sum = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i];
    if (x - x !== 0) {
      out[i] = NaN;
      continue;
    }
    if (count < length) {
      sum += x;
      count++;
      if (count < length) {
        out[i] = NaN;
        continue;
      }
      v = sum / length;
    } else {
      v = alpha * x + beta * v;
    }
    out[i] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// WMA — linear weights 1..length, oldest first (original get_ma('WMA'), Pine ta.wma).
// ---------------------------------------------------------------------------------------------------

export interface WmaState {
  readonly length: number;
  /** length*(length+1)/2 */
  readonly weightSum: number;
  buf: number[];
  pos: number;
  /** Values accepted so far, saturating at `length`. */
  count: number;
  /** Plain sum of the window. */
  sum: number;
  /** Weighted sum of the window (newest weight `length`). */
  wsum: number;
}

export function createWmaState(length: number): WmaState {
  assertInt('length', length, 1);
  return { length, weightSum: (length * (length + 1)) / 2, buf: zeros(length), pos: 0, count: 0, sum: 0, wsum: 0 };
}

/**
 * Returns the WMA including `x`: NaN until `length` values. O(1): the weighted sum slides as
 * wsum' = wsum - sum + length*x; both sums are recomputed exactly whenever the ring wraps.
 * Non-finite input → NaN, ignored.
 */
export function updateWma(s: WmaState, x: number): number {
  if (x - x !== 0) return NaN;
  const length = s.length;
  const buf = s.buf;
  const p = s.pos;
  if (s.count === length) {
    const old = buf[p];
    s.wsum = s.wsum - s.sum + length * x;
    s.sum = s.sum - old + x;
  }
  buf[p] = x;
  let next = p + 1;
  if (next === length) next = 0;
  s.pos = next;
  if (s.count < length) {
    s.count++;
    if (s.count < length) return NaN;
  }
  if (next === 0) {
    // The window is buf[0..length-1], oldest first: recompute both sums exactly.
    let sum = 0;
    let wsum = 0;
    for (let i = 0; i < length; i++) {
      const v = buf[i];
      sum += v;
      wsum += v * (i + 1);
    }
    s.sum = sum;
    s.wsum = wsum;
  }
  return s.wsum / s.weightSum;
}

export function wma(src: ArrayLike<number>, length: number): Float64Array {
  const s = createWmaState(length);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateWma(s, src[i]);
  return out;
}
