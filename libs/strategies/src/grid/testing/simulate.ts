import type { Candle } from '../../core/candle';
import type { Fill, Intent, MarketSpec, OrderIntent, Strategy, StrategyInit } from '../../core/contract';

/*
 * A tiny, deliberately simple fill simulator for the grid scenario tests (the real matching engine lives
 * elsewhere). Rules:
 * - Orders the strategy places while handling candle k (in decide or in a fill callback) rest from candle k+1.
 * - Market orders fill at the next candle's open.
 * - A limit buy fills when the candle's low reaches its price, at min(price, open) (a gap fills at the open);
 *   a limit sell when the high reaches it, at max(price, open). Whole amounts only.
 * - Path inside a candle: a green candle (close ≥ open) goes open → low → high → close, so buys fill first
 *   (highest price first), then sells (lowest first); a red candle goes open → high → low → close.
 * - Fees: `makerFee` × notional for limits, `takerFee` for market orders.
 * - A cancel removes the order and reports `onOrderClosed(canceled)` back to the strategy.
 */

export interface SimOptions<S = unknown> {
  readonly makerFee?: number;
  readonly takerFee?: number;
  /** Called after each decide, e.g. to snapshot state in a test. */
  readonly afterDecide?: (k: number, candle: Candle, state: S) => void;
}

export interface SimOrder {
  readonly intent: OrderIntent;
  /** Index of the first candle the order can fill in. */
  readonly from: number;
}

export type SimEvent =
  | { readonly at: number; readonly source: 'decide' | 'fill' | 'closed'; readonly intent: Intent }
  | { readonly at: number; readonly source: 'exchange'; readonly fill: Fill };

export interface SimResult<S> {
  state: S;
  /** Everything in order: intents (with what produced them) and fills. */
  events: SimEvent[];
  fills: Fill[];
  intents: Intent[];
  /** Orders still resting at the end. */
  book: SimOrder[];
}

export function simulate<Settings, S>(
  strategy: Strategy<Settings, S>,
  init: StrategyInit<Settings>,
  candles: readonly Candle[],
  opts: SimOptions<S> = {},
): SimResult<S> {
  const maker = opts.makerFee ?? 0.0002;
  const taker = opts.takerFee ?? 0.0005;
  const market: MarketSpec = init.market;
  let state = strategy.init(init);
  const events: SimEvent[] = [];
  const fills: Fill[] = [];
  const intents: Intent[] = [];
  let book: SimOrder[] = [];

  const apply = (list: readonly Intent[], k: number, source: 'decide' | 'fill' | 'closed'): void => {
    for (const it of list) {
      events.push({ at: k, source, intent: it });
      intents.push(it);
      if (it.action === 'place') {
        if (book.some((o) => o.intent.key === it.key)) throw new Error(`duplicate order key ${it.key}`);
        book.push({ intent: it, from: k + 1 });
      } else {
        const i = book.findIndex((o) => o.intent.key === it.key);
        if (i >= 0) {
          book.splice(i, 1);
          const r = strategy.onOrderClosed(state, { key: it.key, status: 'canceled', reason: it.reason, time: candles[k]?.time ?? 0 });
          state = r.state;
          apply(r.intents, k, 'closed');
        }
      }
    }
  };

  const fillOrder = (o: SimOrder, price: number, k: number, time: number, fee: number): void => {
    book.splice(book.indexOf(o), 1);
    const it = o.intent;
    const fill: Fill = {
      key: it.key,
      side: it.side,
      positionSide: it.positionSide,
      amount: it.amount,
      price,
      fee: fee * it.amount * price,
      time,
      tag: it.tag,
      remaining: 0,
    };
    fills.push(fill);
    events.push({ at: k, source: 'exchange', fill });
    const r = strategy.onFill(state, fill);
    state = r.state;
    apply(r.intents, k, 'fill');
  };

  for (let k = 0; k < candles.length; k++) {
    const c = candles[k];
    // 1. market orders at the open
    for (const o of book.filter((x) => x.from <= k && x.intent.type === 'market')) {
      if (book.includes(o)) fillOrder(o, c.open, k, c.time, taker);
    }
    // 2. limit orders along the candle's path
    const green = c.close >= c.open;
    const buys = (): SimOrder[] =>
      book
        .filter((o) => o.from <= k && o.intent.type === 'limit' && o.intent.side === 'buy' && c.low <= (o.intent.price as number))
        .sort((a, b) => (b.intent.price as number) - (a.intent.price as number));
    const sells = (): SimOrder[] =>
      book
        .filter((o) => o.from <= k && o.intent.type === 'limit' && o.intent.side === 'sell' && c.high >= (o.intent.price as number))
        .sort((a, b) => (a.intent.price as number) - (b.intent.price as number));
    const phases = green ? [buys, sells] : [sells, buys];
    for (const phase of phases) {
      for (const o of phase()) {
        if (!book.includes(o)) continue;
        const p = o.intent.price as number;
        const px = o.intent.side === 'buy' ? Math.min(p, c.open) : Math.max(p, c.open);
        fillOrder(o, px, k, c.time, maker);
      }
    }
    // 3. the closed candle goes to the strategy
    const r = strategy.decide(state, c, market);
    state = r.state;
    apply(r.intents, k, 'decide');
    opts.afterDecide?.(k, c, state);
  }
  book = book.slice();
  return { state, events, fills, intents, book };
}
