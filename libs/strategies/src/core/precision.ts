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

function clean(x: number, decimals: number): number {
  return Number(x.toFixed(Math.min(decimals, 15)));
}

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
