import { assertFinite, assertInt, zeros } from './indicator.util';

/*
 * Nadaraya-Watson rational-quadratic kernel estimate, as the Pine `rationalQuadratic` of jdehorty's
 * KernelFunctions library that trend_state.pine uses to smooth the cycle MAs
 * (docs/strategy-rules.md §5.3: lookback 30, relative weight 0.5, startAtBar 5):
 *
 *   for lag = 0 .. startAtBar + 1:      (Pine: `for i = 0 to _size + startAtBar` with _size = 1)
 *     w   = (1 + lag^2 / (lookback^2 * 2 * r))^-r
 *     num += src[lag] * w,  den += w
 *   yhat = num / den
 *
 * So the kernel spans lags 0..6 with the defaults; `lookback` only sets the kernel's width. As in Pine,
 * the value is NaN until src[startAtBar + 1] exists (the first startAtBar + 1 bars). (The Python port
 * `_trend.py::rational_quadratic` iterated lags 0..lookback-1 and skipped bars before startAtBar; the
 * reference pins the Pine semantics.)
 */

export interface RationalQuadraticState {
  readonly lookback: number;
  readonly relativeWeight: number;
  readonly startAtBar: number;
  /** startAtBar + 2 lags. */
  readonly size: number;
  /** Kernel weight per lag (index = lag). */
  readonly weights: number[];
  /** Sum of the weights, accumulated lag 0 upward as in Pine. */
  readonly weightSum: number;
  buf: number[];
  pos: number;
  /** Values accepted so far, saturating at `size`. */
  count: number;
}

export function createRationalQuadraticState(lookback = 30, relativeWeight = 0.5, startAtBar = 5): RationalQuadraticState {
  assertFinite('lookback', lookback);
  assertFinite('relativeWeight', relativeWeight);
  if (lookback <= 0 || relativeWeight <= 0) throw new RangeError('lookback and relativeWeight must be > 0');
  assertInt('startAtBar', startAtBar, 0);
  const size = startAtBar + 2;
  const weights = zeros(size);
  let weightSum = 0;
  for (let lag = 0; lag < size; lag++) {
    const w = Math.pow(1 + (lag * lag) / (lookback * lookback * 2 * relativeWeight), -relativeWeight);
    weights[lag] = w;
    weightSum += w;
  }
  return { lookback, relativeWeight, startAtBar, size, weights, weightSum, buf: zeros(size), pos: 0, count: 0 };
}

/** Returns the kernel estimate including `x` (NaN during warm-up). Non-finite input → NaN, ignored. */
export function updateRationalQuadratic(s: RationalQuadraticState, x: number): number {
  if (x - x !== 0) return NaN;
  const size = s.size;
  const buf = s.buf;
  const p = s.pos;
  buf[p] = x;
  s.pos = p + 1 === size ? 0 : p + 1;
  if (s.count < size) {
    s.count++;
    if (s.count < size) return NaN;
  }
  const w = s.weights;
  let num = 0;
  let j = p;
  for (let lag = 0; lag < size; lag++) {
    num += buf[j] * w[lag];
    j = j === 0 ? size - 1 : j - 1;
  }
  return num / s.weightSum;
}

export function rationalQuadratic(src: ArrayLike<number>, lookback = 30, relativeWeight = 0.5, startAtBar = 5): Float64Array {
  const s = createRationalQuadraticState(lookback, relativeWeight, startAtBar);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateRationalQuadratic(s, src[i]);
  return out;
}
