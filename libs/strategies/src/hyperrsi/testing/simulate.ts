import type { Candle } from '../../core/candle';
import type { Fill, Intent, MarketSpec, OrderClosedEvent, OrderIntent, PositionSide, Strategy, StrategyResult } from '../../core/contract';
import { isOpeningOrder } from '../../core/order-side';

/*
 * A tiny, deliberately simple fill simulator for the HYPERRSI scenario tests (NOT the matching engine):
 * - market intents fill at the NEXT candle's open;
 * - limit / stop-market intents rest and fill when a later candle trades through them (a gap fills at the
 *   open); within a candle, orders fill in the order the path open -> nearer extreme -> farther extreme ->
 *   close reaches them;
 * - orders placed by fills at a candle's open rest from that candle on; orders placed by fills inside a
 *   candle, or by a decision, rest from the next candle;
 * - reduce-only orders are clipped to the open position (cancelled when it is flat); no fees, no slippage.
 */

export type SimEvent =
  | { readonly kind: 'intent'; readonly i: number; readonly time: number; readonly source: 'decide' | 'fill' | 'closed'; readonly intent: Intent }
  | { readonly kind: 'fill'; readonly i: number; readonly fill: Fill }
  | { readonly kind: 'closed'; readonly i: number; readonly event: OrderClosedEvent };

interface BookOrder {
  readonly intent: OrderIntent;
  readonly activeFrom: number;
}

export interface SimulateOptions<S> {
  readonly strategy: Strategy<unknown, S> | Strategy<never, S>;
  readonly state: S;
  readonly candles: readonly Candle[];
  readonly market: MarketSpec;
  /** close a placed order at once instead of filling it (e.g. reject entries) */
  readonly closeOnPlace?: (intent: OrderIntent, i: number) => OrderClosedEvent['status'] | null;
  /** called after each decision (before its intents are applied) with the candle index, the result and the log so far */
  readonly afterDecide?: (i: number, result: StrategyResult<S>, events: readonly SimEvent[]) => void;
}

export interface SimulateResult<S> {
  readonly state: S;
  readonly events: SimEvent[];
  readonly fills: Fill[];
  readonly position: Record<PositionSide, number>;
  /** orders still resting at the end (intent keys) */
  readonly openOrders: string[];
}

type AnyStrategy<S> = {
  decide(state: S, c: Candle, m: MarketSpec): StrategyResult<S>;
  onFill(state: S, f: Fill): StrategyResult<S>;
  onOrderClosed(state: S, e: OrderClosedEvent): StrategyResult<S>;
};

const round12 = (x: number): number => Number(x.toFixed(12));

/** Where along the candle path price first reaches `level` (0 = at the open), or -1 if never. */
function pathDistance(c: Candle, level: number): number {
  const first = Math.abs(c.high - c.open) <= Math.abs(c.open - c.low) ? c.high : c.low;
  const second = first === c.high ? c.low : c.high;
  const pts = [c.open, first, second, c.close];
  let dist = 0;
  for (let k = 0; k < 3; k++) {
    const a = pts[k];
    const b = pts[k + 1];
    if ((level >= Math.min(a, b) && level <= Math.max(a, b))) return dist + Math.abs(level - a);
    dist += Math.abs(b - a);
  }
  return -1;
}

function totalPath(c: Candle): number {
  const first = Math.abs(c.high - c.open) <= Math.abs(c.open - c.low) ? c.high : c.low;
  const second = first === c.high ? c.low : c.high;
  return Math.abs(first - c.open) + Math.abs(second - first) + Math.abs(c.close - second) + 1e-12;
}

export function simulate<S>(opts: SimulateOptions<S>): SimulateResult<S> {
  const strategy = opts.strategy as unknown as AnyStrategy<S>;
  const { candles, market } = opts;
  let state = opts.state;
  const events: SimEvent[] = [];
  const fills: Fill[] = [];
  const position: Record<PositionSide, number> = { long: 0, short: 0 };
  let marketQueue: OrderIntent[] = [];
  let book: BookOrder[] = [];

  const apply = (res: StrategyResult<S>, i: number, time: number, source: 'decide' | 'fill' | 'closed', activeFrom: number): void => {
    state = res.state;
    for (const intent of res.intents) {
      events.push({ kind: 'intent', i, time, source, intent });
      if (intent.action === 'cancel') {
        book = book.filter((o) => o.intent.key !== intent.key);
        marketQueue = marketQueue.filter((o) => o.key !== intent.key);
        continue;
      }
      const status = opts.closeOnPlace?.(intent, i) ?? null;
      if (status !== null) {
        close(intent, status, i, time, 'closed by test');
        continue;
      }
      if (intent.type === 'market') marketQueue.push(intent);
      else book.push({ intent, activeFrom });
    }
  };

  const close = (intent: OrderIntent, status: OrderClosedEvent['status'], i: number, time: number, reason: string): void => {
    const event: OrderClosedEvent = { key: intent.key, status, reason, time };
    events.push({ kind: 'closed', i, event });
    apply(strategy.onOrderClosed(state, event), i, time, 'closed', i + 1);
  };

  /** Executes an order at `price` (opening or not by the one rule, isOpeningOrder; a reducing order with nothing to reduce is cancelled instead). */
  const execute = (o: OrderIntent, price: number, i: number, time: number, activeFrom: number): void => {
    const opening = isOpeningOrder(o);
    let amount = o.amount;
    if (!opening) amount = Math.min(amount, position[o.positionSide]);
    if (!(amount > 0)) {
      close(o, 'canceled', i, time, 'reduce-only order with no position');
      return;
    }
    position[o.positionSide] = round12(position[o.positionSide] + (opening ? amount : -amount));
    const fill: Fill = { key: o.key, side: o.side, positionSide: o.positionSide, amount, price, fee: 0, time, tag: o.tag, remaining: 0 };
    fills.push(fill);
    events.push({ kind: 'fill', i, fill });
    apply(strategy.onFill(state, fill), i, time, 'fill', activeFrom);
  };

  const tf = candles.length > 1 ? candles[1].time - candles[0].time : 60_000;
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i];
    // 1. market orders from the previous decision fill at this open
    const queued = marketQueue;
    marketQueue = [];
    for (const o of queued) execute(o, c.open, i, c.time, i);

    // 2. resting orders, in path order
    const hits: { o: BookOrder; d: number; price: number }[] = [];
    for (const o of book) {
      if (o.activeFrom > i) continue;
      const it = o.intent;
      const lvl = it.type === 'limit' ? it.price! : it.triggerPrice!;
      // buy limit / sell stop fire on the way down; sell limit / buy stop on the way up
      const down = (it.type === 'limit') === (it.side === 'buy');
      if (down ? c.open <= lvl : c.open >= lvl) {
        hits.push({ o, d: 0, price: c.open });
        continue;
      }
      const d = pathDistance(c, lvl);
      if (d >= 0) hits.push({ o, d, price: lvl });
    }
    hits.sort((a, b) => a.d - b.d);
    const pathLength = totalPath(c);
    for (const h of hits) {
      if (!book.includes(h.o)) continue; // cancelled by an earlier fill's intents
      book = book.filter((o) => o !== h.o);
      execute(h.o.intent, h.price, i, c.time + Math.round((h.d / pathLength) * (tf - 1)), i + 1);
    }

    // 3. the decision on the closed candle
    const res = strategy.decide(state, c, market);
    opts.afterDecide?.(i, res, events);
    apply(res, i, c.time + tf, 'decide', i + 1);
  }
  return { state, events, fills, position, openOrders: [...book.map((o) => o.intent.key), ...marketQueue.map((o) => o.key)] };
}

/** Intents of one kind (by tag) in the event log. */
export function placedIntents(events: readonly SimEvent[], tag?: string): { i: number; source: string; intent: OrderIntent }[] {
  const out: { i: number; source: string; intent: OrderIntent }[] = [];
  for (const e of events) {
    if (e.kind === 'intent' && e.intent.action === 'place' && (tag === undefined || e.intent.tag === tag)) out.push({ i: e.i, source: e.source, intent: e.intent });
  }
  return out;
}

export function fillsTagged(events: readonly SimEvent[], tag: string): { i: number; fill: Fill }[] {
  const out: { i: number; fill: Fill }[] = [];
  for (const e of events) if (e.kind === 'fill' && e.fill.tag === tag) out.push({ i: e.i, fill: e.fill });
  return out;
}
