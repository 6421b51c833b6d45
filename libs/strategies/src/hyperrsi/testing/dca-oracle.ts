import type { Candle } from '../../core/candle';
import type { OrderIntent } from '../../core/contract';
import type { SimEvent } from './simulate';

/*
 * Test oracle for DCA scenarios: follows the simulator's event log (fills only, never the strategy's
 * state), tracks the long position independently and, at every decision, says whether §2.5 wants a DCA.
 */

export interface DcaCase {
  /** the DCA level for this decision, from the oracle's own average / last fill price */
  level(i: number, avg: number, lastFill: number): number;
  /** extra gate (e.g. the RSI signal); true when absent */
  gate?(i: number): boolean;
  /** expected amount for the add made with `entries` entries so far */
  amount(i: number, entries: number): number;
  readonly pyramidingLimit: number;
}

export interface DcaObservation {
  readonly expected: number[];
  readonly actual: number[];
  readonly amountMismatches: string[];
  readonly maxEntries: number;
  /** the 'dca' intents seen, with the oracle's level at that bar */
  readonly adds: { i: number; level: number; close: number; intent: OrderIntent }[];
}

export function dcaOracle(candles: readonly Candle[], spec: DcaCase) {
  let cursor = 0;
  let size = 0;
  let cost = 0;
  let entries = 0;
  let lastFill = 0;
  let pending = false;
  let maxEntries = 0;
  const expected: number[] = [];
  const actual: number[] = [];
  const amountMismatches: string[] = [];
  const adds: DcaObservation['adds'] = [];

  const consume = (events: readonly SimEvent[]): void => {
    for (; cursor < events.length; cursor++) {
      const e = events[cursor];
      if (e.kind === 'intent' && e.intent.action === 'place' && (e.intent.tag === 'dca' || e.intent.tag === 'entry')) pending = true;
      if (e.kind === 'closed' && (e.event.key.includes(':dca:') || e.event.key.includes(':entry:'))) pending = false;
      if (e.kind !== 'fill' || e.fill.positionSide !== 'long') continue;
      const f = e.fill;
      if (f.tag === 'entry' || f.tag === 'dca') {
        size += f.amount;
        cost += f.amount * f.price;
        entries += 1;
        lastFill = f.price;
        pending = false;
        maxEntries = Math.max(maxEntries, entries);
      } else {
        cost -= (cost / size) * f.amount;
        size = Number((size - f.amount).toFixed(9));
        if (size <= 1e-9) {
          size = 0;
          cost = 0;
          entries = 0;
        }
      }
    }
  };

  return {
    afterDecide(i: number, intents: readonly { action: string; tag?: string }[], events: readonly SimEvent[]): void {
      consume(events);
      const dca = intents.find((x) => x.action === 'place' && x.tag === 'dca') as OrderIntent | undefined;
      if (dca) actual.push(i);
      if (size > 0 && entries >= 1 && entries < spec.pyramidingLimit && !pending) {
        const level = spec.level(i, cost / size, lastFill);
        if (candles[i].close <= level && (spec.gate?.(i) ?? true)) {
          expected.push(i);
          const want = spec.amount(i, entries);
          if (dca && dca.amount !== want) amountMismatches.push(`bar ${i}: ${dca.amount} != ${want}`);
          if (dca) adds.push({ i, level, close: candles[i].close, intent: dca });
        }
      }
    },
    result(): DcaObservation {
      return { expected, actual, amountMismatches, maxEntries, adds };
    },
  };
}
