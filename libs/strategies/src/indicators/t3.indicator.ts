import { assertFinite, assertInt } from './indicator.util';

/*
 * Tillson T3 exactly as the original `calc_t3` (docs/strategy-rules.md §5.1): six chained EMAs of
 * the same length, each seeded with its first input (so all six start at src[0]), alpha = 2/(length+1),
 * combined with volume factor a (default 0.7):
 *
 *   c1 = -a^3,  c2 = 3a^2 + 3a^3,  c3 = -6a^2 - 3a - 3a^3,  c4 = 1 + 3a + a^3 + 3a^2
 *   t3 = c1*e6 + c2*e5 + c3*e4 + c4*e3
 *
 * Defined from the first value.
 */

export interface T3State {
  readonly length: number;
  readonly alpha: number;
  /** 1 - alpha */
  readonly beta: number;
  readonly c1: number;
  readonly c2: number;
  readonly c3: number;
  readonly c4: number;
  /** Values accepted so far, saturating at 1. */
  count: number;
  e1: number;
  e2: number;
  e3: number;
  e4: number;
  e5: number;
  e6: number;
}

export function createT3State(length: number, a = 0.7): T3State {
  assertInt('length', length, 1);
  assertFinite('a', a);
  const alpha = 2 / (length + 1.0);
  const a2 = a * a;
  const a3 = a2 * a;
  return {
    length,
    alpha,
    beta: 1 - alpha,
    c1: -a3,
    c2: 3 * a2 + 3 * a3,
    c3: -6 * a2 - 3 * a - 3 * a3,
    c4: 1 + 3 * a + a3 + 3 * a2,
    count: 0,
    e1: 0,
    e2: 0,
    e3: 0,
    e4: 0,
    e5: 0,
    e6: 0,
  };
}

/** Returns the T3 including `x`. Non-finite input → NaN, ignored. */
export function updateT3(s: T3State, x: number): number {
  if (x - x !== 0) return NaN;
  if (s.count === 0) {
    s.count = 1;
    s.e1 = s.e2 = s.e3 = s.e4 = s.e5 = s.e6 = x;
  } else {
    const al = s.alpha;
    const be = s.beta;
    const e1 = x * al + s.e1 * be;
    const e2 = e1 * al + s.e2 * be;
    const e3 = e2 * al + s.e3 * be;
    const e4 = e3 * al + s.e4 * be;
    const e5 = e4 * al + s.e5 * be;
    const e6 = e5 * al + s.e6 * be;
    s.e1 = e1;
    s.e2 = e2;
    s.e3 = e3;
    s.e4 = e4;
    s.e5 = e5;
    s.e6 = e6;
  }
  return s.c1 * s.e6 + s.c2 * s.e5 + s.c3 * s.e4 + s.c4 * s.e3;
}

export function t3(src: ArrayLike<number>, length: number, a = 0.7): Float64Array {
  const s = createT3State(length, a);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateT3(s, src[i]);
  return out;
}
