import { assertInt, zeros } from './indicator.util';

/*
 * Pivot high / pivot low with Pine `ta.pivothigh(src, left, right)` / `ta.pivotlow` semantics: the
 * candidate is the value `right` bars ago; the result is reported on the bar where it is CONFIRMED
 * (right bars after the pivot bar), never earlier, so there is no look-ahead.
 *
 * - pivot high: no left bar is strictly higher and every right bar is strictly lower. Ties follow
 *   TradingView's asymmetric rule: an equal LEFT bar does not disqualify the candidate, an equal RIGHT
 *   bar does (the later equal bar becomes the pivot). Pivot low mirrors it.
 *   (The Python port `_core.py::pivothigh` rejected ties on both sides; the brief pins Pine semantics.)
 * - A full window of left + right + 1 bars is required.
 * - Non-finite inputs are missing bars: they take their slot in the window (bars are counted), a
 *   missing neighbour is ignored, a missing candidate is never a pivot (as the original).
 */

export interface PivotState {
  readonly left: number;
  readonly right: number;
  /** left + right + 1 */
  readonly size: number;
  buf: number[];
  /** 1 where buf holds a real value. */
  valid: number[];
  pos: number;
  /** Bars seen, saturating at `size`. */
  count: number;
}

export type PivotHighState = PivotState;
export type PivotLowState = PivotState;

function createPivotState(left: number, right: number): PivotState {
  assertInt('left', left, 0);
  assertInt('right', right, 0);
  const size = left + right + 1;
  return { left, right, size, buf: zeros(size), valid: zeros(size), pos: 0, count: 0 };
}

export function createPivotHighState(left: number, right: number): PivotHighState {
  return createPivotState(left, right);
}

export function createPivotLowState(left: number, right: number): PivotLowState {
  return createPivotState(left, right);
}

/** Pushes x; returns the ring index of the newest value, or -1 while the window is not full. */
function push(s: PivotState, x: number): number {
  const p = s.pos;
  if (x - x === 0) {
    s.buf[p] = x;
    s.valid[p] = 1;
  } else {
    s.buf[p] = 0;
    s.valid[p] = 0;
  }
  s.pos = p + 1 === s.size ? 0 : p + 1;
  if (s.count < s.size) {
    s.count++;
    if (s.count < s.size) return -1;
  }
  return p;
}

/** The pivot high confirmed at this bar (its value, from `right` bars ago), or NaN. */
export function updatePivotHigh(s: PivotHighState, x: number): number {
  const newest = push(s, x);
  if (newest < 0) return NaN;
  const size = s.size;
  const buf = s.buf;
  const valid = s.valid;
  // lag L lives at (newest - L) mod size
  let c = newest - s.right;
  if (c < 0) c += size;
  if (valid[c] === 0) return NaN;
  const cand = buf[c];
  let j = newest;
  for (let lag = 0; lag < s.right; lag++) {
    if (valid[j] === 1 && buf[j] >= cand) return NaN;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < s.left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] > cand) return NaN;
  }
  return cand;
}

/** The pivot low confirmed at this bar (its value, from `right` bars ago), or NaN. */
export function updatePivotLow(s: PivotLowState, x: number): number {
  const newest = push(s, x);
  if (newest < 0) return NaN;
  const size = s.size;
  const buf = s.buf;
  const valid = s.valid;
  let c = newest - s.right;
  if (c < 0) c += size;
  if (valid[c] === 0) return NaN;
  const cand = buf[c];
  let j = newest;
  for (let lag = 0; lag < s.right; lag++) {
    if (valid[j] === 1 && buf[j] <= cand) return NaN;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < s.left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] < cand) return NaN;
  }
  return cand;
}

export function pivotHigh(src: ArrayLike<number>, left: number, right: number): Float64Array {
  const s = createPivotHighState(left, right);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updatePivotHigh(s, src[i]);
  return out;
}

export function pivotLow(src: ArrayLike<number>, left: number, right: number): Float64Array {
  const s = createPivotLowState(left, right);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updatePivotLow(s, src[i]);
  return out;
}
