import type { MarketSpec } from './contract';

const decimalsOfStep = new Map<number, number>();

/** Number of decimals of a step such as 0.001 -> 3 (used to strip float noise after rounding). Memoised: hot path. */
export function stepDecimals(step: number): number {
  let d = decimalsOfStep.get(step);
  if (d === undefined) {
    d = computeStepDecimals(step);
    decimalsOfStep.set(step, d);
  }
  return d;
}

function computeStepDecimals(step: number): number {
  if (!(step > 0)) return 0;
  const s = step.toString();
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** 10^d for d = 0..15, exact doubles. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, d) => 10 ** d);

/**
 * `Number(x.toFixed(d))` (d ≤ 15): x rounded to d decimals, float noise stripped. toFixed picks the integer n nearest
 * the EXACT x·10^d (ties: the larger) and Number() parses n·10^-d to the nearest double, which is n / 10^d (an exact
 * integer over an exact power of ten: IEEE division rounds it correctly, the same double). The product y = x·10^d
 * is off the exact value by at most half an ulp of y, so Math.round(y) is that n whenever y is more than an ulp away
 * from a half-integer; the string round trip (~20× slower: the rounding helpers run on every order) is left for
 * those rare near-ties and for x outside (0, 2^50).
 */
export function cleanDecimals(x: number, decimals: number): number {
  const d = decimals < 15 ? decimals : 15;
  const p = POW10[d];
  const y = x * p;
  if (y > 0 && y < 1125899906842624) {
    const f = y - Math.floor(y); // exact
    const tie = f - 0.5;
    // 2^-50·y bounds the product's error (≤ 2^-53·y) with room to spare
    if ((tie < 0 ? -tie : tie) > y * 8.881784197001252e-16) return Math.round(y) / p;
  }
  return Number(x.toFixed(d));
}

const clean = cleanDecimals;

/** Round a price to the nearest tick. */
export function roundPrice(spec: Pick<MarketSpec, 'tickSize'>, price: number): number {
  const t = spec.tickSize;
  return clean(Math.round(price / t) * t, stepDecimals(t));
}

/** Floor a price to the tick (never more favourable than asked for a buy). */
export function floorPrice(spec: Pick<MarketSpec, 'tickSize'>, price: number): number {
  const t = spec.tickSize;
  return clean(Math.floor(price / t + 1e-9) * t, stepDecimals(t));
}

/** Ceil a price to the tick. */
export function ceilPrice(spec: Pick<MarketSpec, 'tickSize'>, price: number): number {
  const t = spec.tickSize;
  return clean(Math.ceil(price / t - 1e-9) * t, stepDecimals(t));
}

/** Truncate an amount to the amount step (as exchanges and ccxt amountToPrecision do). */
export function floorAmount(spec: Pick<MarketSpec, 'amountStep'>, amount: number): number {
  const s = spec.amountStep;
  return clean(Math.floor(amount / s + 1e-9) * s, stepDecimals(s));
}

/** True when an order of this amount at this price meets the market's minimums. */
export function meetsMinimums(spec: MarketSpec, amount: number, price: number): boolean {
  return amount >= spec.minAmount && amount * price >= spec.minNotional;
}
