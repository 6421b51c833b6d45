import { assertInt } from './indicator.util';

/*
 * RSI with Wilder (RMA) smoothing, exactly as the original `shared/indicators/_rsi.py::calc_rsi`
 * (docs/strategy-rules.md §5.1):
 *
 *   delta[0] = 0 (the deltas are padded with a leading 0), delta[i] = close[i] - close[i-1]
 *   avgGain[p] = mean(gain[0..p-1])         <- the seed window INCLUDES the padded 0 delta
 *   avgGain[i] = (avgGain[i-1]*(p-1) + gain[i]) / p        for i > p
 *   rsi[i] = 100 - 100 / (1 + avgGain[i] / (avgLoss[i] == 0 ? 1e-10 : avgLoss[i]))
 *
 * As in the original, delta[p] itself is folded into neither the seed nor the recursion (the seed is
 * stored at index p and the recursion starts at p+1). Two deliberate differences:
 * - indices < p are NaN here; the original reported 0 there, which reads like a real (oversold) value;
 * - no `dynamic_round`: rounding is a presentation concern and would break exact comparisons.
 * A flat seed window (no gains, no losses) therefore yields 0, as in the original.
 */

export interface RsiState {
  readonly period: number;
  /** Closes accepted so far, saturating at period + 1. */
  count: number;
  prevClose: number;
  sumGain: number;
  sumLoss: number;
  avgGain: number;
  avgLoss: number;
}

export function createRsiState(period = 14): RsiState {
  assertInt('period', period, 1);
  return { period, count: 0, prevClose: 0, sumGain: 0, sumLoss: 0, avgGain: 0, avgLoss: 0 };
}

/** Returns the RSI including `close`: NaN for the first `period` closes. Non-finite input → NaN, ignored. */
export function updateRsi(s: RsiState, close: number): number {
  if (close - close !== 0) return NaN;
  const p = s.period;
  const i = s.count;
  let gain = 0;
  let loss = 0;
  if (i > 0) {
    const d = close - s.prevClose;
    if (d > 0) gain = d;
    else if (d < 0) loss = -d;
  }
  s.prevClose = close;
  if (i < p) {
    s.sumGain += gain;
    s.sumLoss += loss;
    s.count = i + 1;
    return NaN;
  }
  if (i === p) {
    s.avgGain = s.sumGain / p;
    s.avgLoss = s.sumLoss / p;
    s.count = p + 1;
  } else {
    s.avgGain = (s.avgGain * (p - 1) + gain) / p;
    s.avgLoss = (s.avgLoss * (p - 1) + loss) / p;
  }
  const l = s.avgLoss;
  return 100 - 100 / (1 + s.avgGain / (l === 0 ? 1e-10 : l));
}

/** Batch RSI: updateRsi's arithmetic with the state in locals (bit-identical, faster). */
export function rsi(close: ArrayLike<number>, period = 14): Float64Array {
  assertInt('period', period, 1);
  const p = period;
  const n = close.length;
  const out = new Float64Array(n);
  let count = 0;
  let prev = 0;
  let sumGain = 0;
  let sumLoss = 0;
  let avgGain = 0;
  let avgLoss = 0;
  for (let k = 0; k < n; k++) {
    const c = close[k];
    if (c - c !== 0) {
      out[k] = NaN;
      continue;
    }
    let gain = 0;
    let loss = 0;
    if (count > 0) {
      const d = c - prev;
      if (d > 0) gain = d;
      else if (d < 0) loss = -d;
    }
    prev = c;
    if (count < p) {
      sumGain += gain;
      sumLoss += loss;
      count++;
      out[k] = NaN;
      continue;
    }
    if (count === p) {
      avgGain = sumGain / p;
      avgLoss = sumLoss / p;
      count++;
    } else {
      avgGain = (avgGain * (p - 1) + gain) / p;
      avgLoss = (avgLoss * (p - 1) + loss) / p;
    }
    out[k] = 100 - 100 / (1 + avgGain / (avgLoss === 0 ? 1e-10 : avgLoss));
  }
  return out;
}
