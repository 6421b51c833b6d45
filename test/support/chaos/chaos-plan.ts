import { mulberry32 } from '../fake-exchange/fake-binance.faults';

/** One step of the deterministic trading plan every session replays from the start. */
export type PlanStep =
  | {
      readonly kind: 'order';
      readonly index: number;
      readonly intentKey: string;
      readonly symbol: 'BTC/USDT' | 'ETH/USDT';
      readonly type: 'market' | 'limit';
      readonly side: 'buy' | 'sell';
      readonly amount: number;
      readonly price?: number;
      readonly referencePrice: number;
    }
  | { readonly kind: 'cancel'; readonly index: number; readonly targetIntentKey: string }
  | { readonly kind: 'reconcile'; readonly index: number };

export const PLAN_SYMBOLS = { 'BTC/USDT': { id: 'BTCUSDT', base: 60_000, step: 0.00001 }, 'ETH/USDT': { id: 'ETHUSDT', base: 3_000, step: 0.0001 } } as const;

const roundTo = (x: number, step: number): number => Math.round(x / step) * step;
const fix = (x: number, dp: number): number => Number(x.toFixed(dp));

/**
 * `orders` order intents (seeded): ~40% market, ~60% limit; buys twice as likely as sells (spot: a sell reduces
 * the long); limit prices within ±1.5% of the base price so the test's price walk fills some of them and leaves
 * others resting; every ~12th step cancels an earlier limit intent; every 8th step runs the reconciler.
 * Same seed and size → the same plan, so a restarted session replays exactly what the killed one was doing.
 */
export function buildPlan(seed: number, orders: number, planId = 'chaos'): PlanStep[] {
  const rnd = mulberry32(seed);
  const steps: PlanStep[] = [];
  const limits: string[] = [];
  let placed = 0;
  while (placed < orders) {
    const index = steps.length;
    if (index > 0 && index % 8 === 0) {
      steps.push({ kind: 'reconcile', index });
      continue;
    }
    if (limits.length > 2 && rnd() < 0.08) {
      const target = limits.splice(Math.floor(rnd() * limits.length), 1)[0];
      steps.push({ kind: 'cancel', index, targetIntentKey: target });
      continue;
    }
    const symbol = rnd() < 0.6 ? 'BTC/USDT' : 'ETH/USDT';
    const spec = PLAN_SYMBOLS[symbol];
    const side = rnd() < 0.65 ? 'buy' : 'sell';
    const type = rnd() < 0.4 ? 'market' : 'limit';
    const dp = symbol === 'BTC/USDT' ? 5 : 4;
    // buys 0.001-0.004 BTC / 0.02-0.08 ETH (60-240 USDT), sells half that: the long rarely goes flat
    const unit = symbol === 'BTC/USDT' ? 0.001 : 0.02;
    const amount = fix(roundTo(unit * (side === 'buy' ? 1 + 3 * rnd() : 0.5 + rnd()), spec.step), dp);
    const intentKey = `${planId}:${seed}:${placed}:${symbol}:${type}:${side}`;
    if (type === 'limit') {
      // buys mostly below the base, sells mostly above; a few marketable ones cross at once
      const offset = (rnd() * 0.015 - 0.003) * (side === 'buy' ? -1 : 1);
      const price = fix(roundTo(spec.base * (1 + offset), 0.01), 2);
      steps.push({ kind: 'order', index, intentKey, symbol, type, side, amount, price, referencePrice: spec.base });
      limits.push(intentKey);
    } else {
      steps.push({ kind: 'order', index, intentKey, symbol, type, side, amount, referencePrice: spec.base });
    }
    placed++;
  }
  return steps;
}
