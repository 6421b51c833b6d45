import { assertInt, assertSameLength, zeros } from './indicator.util';

/*
 * Cross and trend helpers with Pine semantics (the original `_core.py` crossover/crossunder/rising/falling).
 */

/** Pine ta.crossover: a is above b now and was at or below it on the previous bar. NaN → false. */
export function crossover(prevA: number, prevB: number, a: number, b: number): boolean {
  return a > b && prevA <= prevB;
}

/** Pine ta.crossunder: a is below b now and was at or above it on the previous bar. NaN → false. */
export function crossunder(prevA: number, prevB: number, a: number, b: number): boolean {
  return a < b && prevA >= prevB;
}

/*
 * rising(n) / falling(n), Pine `ta.rising(src, n)`: true when the current value is strictly greater
 * than EACH of the previous n values (x > x[i] for i = 1..n); falling mirrors it. False until n previous
 * bars exist, and false when x or any of them is missing (NaN compares false, as in Pine).
 * Note: the Python port `_core.py::rising` tested n consecutive rises (x[i] > x[i-1] for each step),
 * which differs for n > 1; Pine (the strategy's source) is the reference here.
 * Missing (non-finite) values take their bar in the window.
 */

export interface TrendState {
  readonly length: number;
  /** The previous `length` values; a missing one is stored as 0 with valid 0. */
  buf: number[];
  valid: number[];
  pos: number;
  /** Bars seen, saturating at `length`. */
  count: number;
}

function createTrendState(length: number): TrendState {
  assertInt('length', length, 1);
  return { length, buf: zeros(length), valid: zeros(length), pos: 0, count: 0 };
}

export type RisingState = TrendState;
export type FallingState = TrendState;

export function createRisingState(length = 1): RisingState {
  return createTrendState(length);
}

export function createFallingState(length = 1): FallingState {
  return createTrendState(length);
}

function pushTrend(s: TrendState, x: number): void {
  const p = s.pos;
  if (x - x === 0) {
    s.buf[p] = x;
    s.valid[p] = 1;
  } else {
    s.buf[p] = 0;
    s.valid[p] = 0;
  }
  s.pos = p + 1 === s.length ? 0 : p + 1;
  if (s.count < s.length) s.count++;
}

export function updateRising(s: RisingState, x: number): boolean {
  let ok = s.count === s.length && x - x === 0;
  if (ok) {
    const buf = s.buf;
    const valid = s.valid;
    for (let i = 0; i < s.length; i++) {
      if (valid[i] === 0 || !(x > buf[i])) {
        ok = false;
        break;
      }
    }
  }
  pushTrend(s, x);
  return ok;
}

export function updateFalling(s: FallingState, x: number): boolean {
  let ok = s.count === s.length && x - x === 0;
  if (ok) {
    const buf = s.buf;
    const valid = s.valid;
    for (let i = 0; i < s.length; i++) {
      if (valid[i] === 0 || !(x < buf[i])) {
        ok = false;
        break;
      }
    }
  }
  pushTrend(s, x);
  return ok;
}

/** Batch rising: 1 where updateRising would return true, else 0. */
export function rising(src: ArrayLike<number>, length = 1): Uint8Array {
  const s = createRisingState(length);
  const n = src.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = updateRising(s, src[i]) ? 1 : 0;
  return out;
}

/** Batch falling: 1 where updateFalling would return true, else 0. */
export function falling(src: ArrayLike<number>, length = 1): Uint8Array {
  const s = createFallingState(length);
  const n = src.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = updateFalling(s, src[i]) ? 1 : 0;
  return out;
}

/** Batch crossover of two series: 1 at bars where crossover(a[i-1], b[i-1], a[i], b[i]); bar 0 is 0. */
export function crossoverSeries(a: ArrayLike<number>, b: ArrayLike<number>): Uint8Array {
  const n = assertSameLength(a, b);
  const out = new Uint8Array(n);
  for (let i = 1; i < n; i++) out[i] = crossover(a[i - 1], b[i - 1], a[i], b[i]) ? 1 : 0;
  return out;
}

/** Batch crossunder of two series: 1 at bars where crossunder(a[i-1], b[i-1], a[i], b[i]); bar 0 is 0. */
export function crossunderSeries(a: ArrayLike<number>, b: ArrayLike<number>): Uint8Array {
  const n = assertSameLength(a, b);
  const out = new Uint8Array(n);
  for (let i = 1; i < n; i++) out[i] = crossunder(a[i - 1], b[i - 1], a[i], b[i]) ? 1 : 0;
  return out;
}
