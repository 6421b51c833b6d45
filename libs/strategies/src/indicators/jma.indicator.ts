import { assertFinite, assertInt } from './indicator.util';

/*
 * Jurik-style moving average exactly as the original `calc_jma(length=5, phase=50, power=2)`
 * (docs/strategy-rules.md §5.1, shared/indicators/_moving_averages.py; the Pine `calc_jma` of
 * trend_state.pine):
 *
 *   phaseRatio = phase < -100 ? 0.5 : phase > 100 ? 2.5 : phase/100 + 1.5
 *   beta  = 0.45(L-1) / (0.45(L-1) + 2),  alpha = beta^power
 *   bar 0: e0 = src, e1 = 0, e2 = 0, jma = src
 *   e0  = (1-alpha)*src + alpha*e0
 *   e1  = (src - e0)*(1-beta) + beta*e1
 *   e2  = (e0 + phaseRatio*e1 - jma)*(1-alpha)^2 + alpha^2*e2
 *   jma = jma + e2
 *   output = running SMA of the inputs for the first `length` bars, jma afterwards.
 */

export interface JmaState {
  readonly length: number;
  readonly phaseRatio: number;
  readonly beta: number;
  readonly alpha: number;
  /** (1 - alpha)^2 */
  readonly oneMinusAlphaSq: number;
  /** alpha^2 */
  readonly alphaSq: number;
  /** Values accepted so far, saturating at `length`. */
  count: number;
  /** Running sum of the inputs while count < length. */
  sum: number;
  e0: number;
  e1: number;
  e2: number;
  jma: number;
}

export function createJmaState(length = 5, phase = 50, power = 2): JmaState {
  assertInt('length', length, 1);
  assertFinite('phase', phase);
  assertFinite('power', power);
  const phaseRatio = phase < -100 ? 0.5 : phase > 100 ? 2.5 : phase / 100.0 + 1.5;
  const beta = length > 1 ? (0.45 * (length - 1)) / (0.45 * (length - 1) + 2) : 0;
  const alpha = Math.pow(beta, power);
  return {
    length,
    phaseRatio,
    beta,
    alpha,
    oneMinusAlphaSq: (1 - alpha) * (1 - alpha),
    alphaSq: alpha * alpha,
    count: 0,
    sum: 0,
    e0: 0,
    e1: 0,
    e2: 0,
    jma: 0,
  };
}

/** Returns the JMA including `src` (running SMA for the first `length` values). Non-finite input → NaN, ignored. */
export function updateJma(s: JmaState, src: number): number {
  if (src - src !== 0) return NaN;
  const i = s.count;
  if (i === 0) {
    s.e0 = src;
    s.e1 = 0;
    s.e2 = 0;
    s.jma = src;
  } else {
    const alpha = s.alpha;
    const beta = s.beta;
    const e0 = (1 - alpha) * src + alpha * s.e0;
    const e1 = (src - e0) * (1 - beta) + beta * s.e1;
    const e2 = (e0 + s.phaseRatio * e1 - s.jma) * s.oneMinusAlphaSq + s.alphaSq * s.e2;
    s.e0 = e0;
    s.e1 = e1;
    s.e2 = e2;
    s.jma = e2 + s.jma;
  }
  if (i < s.length) {
    s.sum += src;
    s.count = i + 1;
    return s.sum / (i + 1);
  }
  return s.jma;
}

export function jma(src: ArrayLike<number>, length = 5, phase = 50, power = 2): Float64Array {
  const s = createJmaState(length, phase, power);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateJma(s, src[i]);
  return out;
}
