import type { Fill, OrderIntent } from '../../core/contract';
import type { SimEvent } from './simulate';

/** The level index a grid key refers to: `...:open:5`, `...>tp:5`, `...>rearm:5:12` all give 5. */
export function levelOfKey(key: string): number {
  const tail = key.slice(Math.max(key.lastIndexOf('>'), 0));
  const m = /(?:open|tp|rearm|close):(-?\d+)(?::\d+)?$/.exec(tail.startsWith('>') ? tail : key);
  if (!m) throw new Error(`no level in key ${key}`);
  return Number(m[1]);
}

/** The place intents a strategy returned from the onFill call for `fill` (the events right after it). */
export function placedInResponse(events: readonly SimEvent[], fill: Fill): OrderIntent[] {
  const i = events.findIndex((e) => 'fill' in e && e.fill === fill);
  if (i < 0) throw new Error(`fill ${fill.key} not in events`);
  const out: OrderIntent[] = [];
  for (let k = i + 1; k < events.length; k++) {
    const e = events[k];
    if (!('intent' in e) || e.source !== 'fill') break;
    if (e.intent.action === 'place') out.push(e.intent);
  }
  return out;
}
