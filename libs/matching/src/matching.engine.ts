import type { Candle, Fill, Intent, OrderIntent, OrderSide, OrderType, PositionSide } from '@tb/strategies';
import type {
  EngineEvent,
  EngineEventHandler,
  FundingRate,
  Liquidity,
  MatchingConfig,
  PositionView,
  RestingOrderView,
} from './matching.types';

/**
 * The matching engine (DESIGN §3, docs/adr/0003-matching-engine.md): one pure module that the backtester
 * and the paper exchange both use to turn order intents into fills. No I/O, no clock: time comes from the
 * caller. Rules:
 *
 * ORDERS
 * - market: fills at the NEXT price the engine sees — the next candle's open (orders submitted between
 *   candles, e.g. by `decide` on a closed candle), or the current price when submitted while a price point
 *   is being processed (from an event handler, or followed by `processPrice` in the paper exchange) —
 *   worsened by `slippage` (buy × (1 + s), sell × (1 − s)). Taker fee.
 * - limit: a RESTING limit fills at its limit price (maker fee) when price trades THROUGH it (strictly
 *   beyond; `limitFill: 'touch'` makes reaching it enough). A limit that is already marketable when the
 *   engine first sees it (buy limit above the price, sell limit below) fills at once as a taker, at the
 *   price worsened by slippage but never worse than the limit.
 * - stop_market: triggers when price reaches the trigger (sell stop: price <= trigger, buy stop: price >=
 *   trigger) and fills at the trigger — or at the open when the candle gapped through it — worsened by
 *   slippage. Taker fee.
 * - reduce-only (and every order that closes: sell on a long, buy on a short, spot sells): never
 *   increases a position. At fill time the amount is clamped to the position; with no position the order
 *   is rejected (`reduce_only_no_position`). When a position goes flat, the resting reduce-only orders on
 *   that side are canceled (`position_closed`), as exchanges do.
 * - Orders are filled whole (no volume model); a clamped reduce-only order completes with the clamped amount.
 * - A key that is already resting is ignored (idempotent re-submission); a key that was used before is
 *   rejected (`duplicate_key`). Canceling an unknown key does nothing.
 *
 * INTRA-CANDLE PATH: open → the extreme nearer the open → the other extreme → close. When both extremes
 * are equally far, the one adverse to the account's net position goes first (low first when net long or
 * flat, high first when net short). Within one segment orders fire in the order price reaches them; at
 * the same price: liquidation, then stops, then market orders, then limits, then submission order
 * (adverse first). Orders placed by the handler during the path take part in the rest of the path.
 *
 * ACCOUNTING
 * - spot: quote and base balances; positionSide must be 'long' (no shorting); sells need base; fees are
 *   charged in quote. Resting buy limits reserve quote (amount × price × (1 + maker)), non-reduce-only
 *   resting sells reserve base.
 * - perp (USDT-margined, hedge mode, isolated margin): one position per positionSide; initial margin =
 *   notional / leverage; wallet balance includes margins; free = wallet − margins − reservations. Opening
 *   orders need free ≥ margin + fee (resting limits reserve it). Liquidation price (fees ignored):
 *   long (E·q − M) / (q·(1 − mmr)), short (E·q + M) / (q·(1 + mmr)). When the path reaches it the position
 *   is closed AT the liquidation price and the whole isolated margin is lost: the price PnL is realized and
 *   the remaining margin is charged as a liquidation fee (so realized − fee = −margin).
 * - funding: each funding time is applied at the open of the first candle whose open time is at or after it
 *   (with the open as mark price): amount = qty × price × rate, paid by longs and received by shorts when
 *   the rate is positive; taken from the wallet and the position's isolated margin.
 * - Rejections (insufficient balance/margin, no shorting on spot, bad amount, reduce-only without a
 *   position) are `closed` events with status 'rejected' and a reason.
 * - Ledger: every fill carries its realized PnL and fee, every funding event its amount, so
 *   wallet = initial + Σ realized − Σ fees − Σ funding at all times.
 */

const RANK_LIQ = 0;
const RANK_STOP = 1;
const RANK_MARKET = 2;
const RANK_LIMIT = 3;
const MAX_EVENTS_PER_POINT = 100_000;
const EMPTY: readonly EngineEvent[] = Object.freeze([]);

interface Order {
  readonly key: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly isBuy: boolean;
  readonly positionSide: PositionSide;
  readonly amount: number;
  readonly price: number; // limit price or NaN
  readonly trigger: number; // trigger price or NaN
  readonly reduceOnly: boolean;
  readonly tag: string;
  /** Increases the position when filled (buy on long, sell on short). */
  readonly opening: boolean;
  readonly seq: number;
  /** Not yet compared with any price since submission. */
  fresh: boolean;
  reserveQuote: number;
  reserveBase: number;
}

/** A candle being walked: where the walk stands, so that a paused walk can be resumed (or persisted and restored). */
export interface WalkCursor {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** waypoints: open → first extreme → second extreme → close (the order is fixed when the candle starts) */
  readonly lowFirst: boolean;
  /** segments completed (0..3) */
  readonly seg: number;
  /** the price the walk stands at */
  readonly cur: number;
  /** the point at `cur` still has to be (re)processed before the walk goes on */
  readonly atPoint: boolean;
}

type JsonOrder = Omit<Order, 'price' | 'trigger'> & { price: number | null; trigger: number | null };

/** See `MatchingEngine.snapshot`. Infinite / NaN values are stored as null (JSON has neither). */
export interface EngineSnapshot {
  readonly wallet: number;
  readonly base: number;
  readonly reservedQuote: number;
  readonly reservedBase: number;
  readonly long: { qty: number; avg: number; margin: number; liq: number | null };
  readonly short: { qty: number; avg: number; margin: number; liq: number | null };
  readonly orders: readonly JsonOrder[];
  readonly seq: number;
  readonly hasFresh: boolean;
  readonly fundingIdx: number;
  readonly now: number;
  readonly lastPrice: number | null;
  readonly walk: WalkCursor | null;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

interface Walk {
  time: number;
  pts: [number, number, number, number];
  lowFirst: boolean;
  seg: number;
  cur: number;
  atPoint: boolean;
}

interface Position {
  qty: number;
  avg: number;
  margin: number;
  liq: number; // long: -Infinity when none; short: +Infinity when none
}

export class MatchingEngine {
  private readonly perp: boolean;
  private readonly through: boolean;
  private readonly leverage: number;
  private readonly mmr: number;
  private readonly feeMaker: number;
  private readonly feeTaker: number;
  private readonly slippage: number;
  private readonly dust: number;
  private readonly funding: readonly FundingRate[];
  private fundingIdx = 0;

  /** spot: quote balance; perp: wallet balance (margins included). */
  private wallet: number;
  /** spot only */
  private base = 0;
  private reservedQuote = 0;
  private reservedBase = 0;

  private readonly long: Position = { qty: 0, avg: 0, margin: 0, liq: -Infinity };
  private readonly short: Position = { qty: 0, avg: 0, margin: 0, liq: Infinity };

  private orders: Order[] = [];
  private readonly byKey = new Map<string, Order>();
  private readonly usedKeys = new Set<string>();
  private seq = 0;
  private hasFresh = false;

  private handler: EngineEventHandler | undefined;
  private queue: EngineEvent[] = [];
  private dispatching = false;
  /** Pause the intra-candle walk at every fill / closed order until the caller has reacted (see `pauseOnEvents`). */
  private pausing = false;
  /** fill / closed events since the last safe point (what a pausing walk stops for) */
  private reactable = 0;
  private walk: Walk | null = null;
  private log: EngineEvent[] | null = null;
  private now = 0;
  private lastPrice = NaN;

  constructor(private readonly config: MatchingConfig) {
    const c = config;
    if (!(c.initialBalance >= 0)) throw new RangeError('initialBalance must be >= 0');
    for (const [k, v] of [
      ['feeMaker', c.feeMaker],
      ['feeTaker', c.feeTaker],
      ['slippage', c.slippage],
    ] as const) {
      if (!Number.isFinite(v) || v < 0 || v >= 1) throw new RangeError(`${k} must be in [0, 1)`);
    }
    this.perp = c.market.type === 'perp';
    this.through = (c.limitFill ?? 'through') === 'through';
    this.leverage = c.leverage ?? 1;
    if (!(this.leverage >= 1)) throw new RangeError('leverage must be >= 1');
    this.mmr = c.maintenanceMarginRate ?? 0.005;
    if (!(this.mmr >= 0 && this.mmr < 1)) throw new RangeError('maintenanceMarginRate must be in [0, 1)');
    this.feeMaker = c.feeMaker;
    this.feeTaker = c.feeTaker;
    this.slippage = c.slippage;
    this.dust = c.market.amountStep > 0 ? c.market.amountStep * 1e-6 : 1e-12;
    this.funding = this.perp ? (c.funding ?? []) : [];
    this.wallet = c.initialBalance;
  }

  /**
   * The handler receives the events at the next SAFE POINT — right after the execution (and what it caused
   * synchronously, e.g. the cancel of the side's reduce-only orders when a position goes flat) or the applied
   * intent that produced them — in the order they happened; the intents it returns are applied at once, at that
   * point of the path, and take part in the rest of it.
   */
  setHandler(handler: EngineEventHandler | undefined): void {
    this.handler = handler;
  }

  /**
   * Pausing mode (the paper exchange in replay, docs/adr/0010-bot-runtime.md): with no handler, a candle walk
   * stops at every safe point that produced a fill or a closed order. `processBar` then returns early with
   * `paused` true; the caller hands the events to the strategy (asynchronously, through the OMS), applies the
   * intents it answers with `apply`, and calls `resume()`. The result is exactly what a handler returning the same
   * intents at that safe point produces — the backtester's path — so a bot and its backtest trade alike.
   */
  pauseOnEvents(on: boolean): void {
    this.pausing = on;
  }

  /** A candle walk stopped at a safe point and waits for `resume()`. */
  get paused(): boolean {
    return this.walk !== null;
  }

  /** Where the paused walk stands (null when none), for persistence. */
  walkCursor(): WalkCursor | null {
    const w = this.walk;
    if (!w) return null;
    const [open, , , close] = w.pts;
    const high = w.lowFirst ? w.pts[2] : w.pts[1];
    const low = w.lowFirst ? w.pts[1] : w.pts[2];
    return { time: w.time, open, high, low, close, lowFirst: w.lowFirst, seg: w.seg, cur: w.cur, atPoint: w.atPoint };
  }

  /** Re-install a persisted paused walk (after the engine was rebuilt); `resume()` continues it. */
  restoreWalk(c: WalkCursor): void {
    if (this.walk) throw new Error('matching engine: a walk is already in progress');
    this.walk = {
      time: c.time,
      pts: c.lowFirst ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close],
      lowFirst: c.lowFirst,
      seg: c.seg,
      cur: c.cur,
      atPoint: c.atPoint,
    };
    this.now = c.time;
  }

  /**
   * Everything the engine needs to continue exactly where it is (balances, positions, resting orders with their
   * submission order and freshness, funding cursor, last price, a paused walk) — plain JSON. Used keys of finished
   * orders are not part of it: the paper exchange refuses a reused clientOrderId itself.
   */
  snapshot(): EngineSnapshot {
    return {
      wallet: this.wallet,
      base: this.base,
      reservedQuote: this.reservedQuote,
      reservedBase: this.reservedBase,
      long: { ...this.long, liq: finiteOrNull(this.long.liq) },
      short: { ...this.short, liq: finiteOrNull(this.short.liq) },
      orders: this.orders.map((o) => ({ ...o, price: finiteOrNull(o.price), trigger: finiteOrNull(o.trigger) })),
      seq: this.seq,
      hasFresh: this.hasFresh,
      fundingIdx: this.fundingIdx,
      now: this.now,
      lastPrice: finiteOrNull(this.lastPrice),
      walk: this.walkCursor(),
    };
  }

  /** Continue from a snapshot taken by `snapshot()` of an engine with the same config. */
  static restore(config: MatchingConfig, snap: EngineSnapshot): MatchingEngine {
    const e = new MatchingEngine(config);
    e.wallet = snap.wallet;
    e.base = snap.base;
    e.reservedQuote = snap.reservedQuote;
    e.reservedBase = snap.reservedBase;
    Object.assign(e.long, snap.long, { liq: snap.long.liq ?? -Infinity });
    Object.assign(e.short, snap.short, { liq: snap.short.liq ?? Infinity });
    e.orders = snap.orders.map((o) => ({ ...o, price: o.price ?? NaN, trigger: o.trigger ?? NaN }));
    for (const o of e.orders) {
      e.byKey.set(o.key, o);
      e.usedKeys.add(o.key);
    }
    e.seq = snap.seq;
    e.hasFresh = snap.hasFresh;
    e.fundingIdx = snap.fundingIdx;
    e.now = snap.now;
    e.lastPrice = snap.lastPrice ?? NaN;
    if (snap.walk) e.restoreWalk(snap.walk);
    return e;
  }

  /** Continue a paused candle walk; returns the events until the next pause or the end of the candle. */
  resume(): readonly EngineEvent[] {
    const w = this.walk;
    if (!w) return EMPTY;
    return this.record(() => {
      this.now = w.time;
      this.runWalk(w);
    });
  }

  // ───────────────────────────── public API ─────────────────────────────

  /** Apply one intent (place or cancel). Returns the events it caused (rejection/cancel), in order. */
  apply(intent: Intent, now: number): readonly EngineEvent[] {
    return this.record(() => {
      this.now = now;
      this.applyIntent(intent);
      this.settle();
    });
  }

  cancel(key: string, now: number, reason = 'canceled'): readonly EngineEvent[] {
    return this.record(() => {
      this.now = now;
      this.cancelOrder(key, reason, 'canceled');
      this.settle();
    });
  }

  /** Walk one candle's intra-candle path; returns every event in order (a shared empty array when none). */
  processCandle(c: Candle): readonly EngineEvent[] {
    return this.processBar(c.time, c.open, c.high, c.low, c.close);
  }

  /** Same as processCandle with scalars (no allocation when nothing happens). */
  processBar(time: number, open: number, high: number, low: number, close: number): readonly EngineEvent[] {
    if (this.walk) throw new Error('matching engine: the previous candle walk is paused; resume() it first');
    this.now = time;
    const dueFunding = this.fundingIdx < this.funding.length && this.funding[this.fundingIdx].time <= time;
    if (!dueFunding && !this.mayTrade(open, high, low)) {
      this.lastPrice = close;
      return EMPTY;
    }
    return this.record(() => {
      if (dueFunding) {
        this.applyFunding(time, open);
        this.settle();
      }
      const up = high - open;
      const down = open - low;
      const lowFirst = down < up || (down === up && this.long.qty - this.short.qty >= 0);
      const w: Walk = {
        time,
        pts: lowFirst ? [open, low, high, close] : [open, high, low, close],
        lowFirst,
        seg: 0,
        cur: open,
        atPoint: true,
      };
      this.walk = w;
      this.runWalk(w);
    });
  }

  /** Walk the candle from where `w` stands; leaves `this.walk` set when it pauses. */
  private runWalk(w: Walk): void {
    for (;;) {
      if (w.atPoint) {
        if (!this.point(w.cur)) return;
        w.atPoint = false;
      }
      if (w.seg >= 3) break;
      const b = w.pts[w.seg + 1];
      const at = this.segment(w.cur, b);
      if (at === at) {
        // paused at a safe point inside the segment: the point at `at` is processed first on resume
        w.cur = at;
        w.atPoint = true;
        return;
      }
      w.seg++;
      w.cur = b;
    }
    this.walk = null;
    this.lastPrice = w.pts[3];
  }

  /** A single price observation (paper exchange ticks): fills market orders and anything the move crossed. */
  processPrice(time: number, price: number): readonly EngineEvent[] {
    if (this.walk) throw new Error('matching engine: a candle walk is paused; resume() it first');
    return this.record(() => {
      this.now = time;
      if (this.fundingIdx < this.funding.length && this.funding[this.fundingIdx].time <= time) {
        this.applyFunding(time, price);
        this.settle();
      }
      if (!Number.isNaN(this.lastPrice) && this.lastPrice !== price) {
        // the move since the last price only concerns orders that were resting before it
        const fresh = this.orders.filter((o) => o.fresh);
        if (fresh.length) this.orders = this.orders.filter((o) => !o.fresh);
        this.segment(this.lastPrice, price); // never pauses: no walk is in progress
        if (fresh.length) {
          for (const o of fresh) if (this.byKey.get(o.key) === o) this.orders.push(o);
          this.orders.sort((x, y) => x.seq - y.seq);
          this.hasFresh = true;
        }
      }
      this.point(price);
      this.lastPrice = price;
    });
  }

  /** Cancel every resting order (e.g. end of a backtest). */
  cancelAll(now: number, reason: string): readonly EngineEvent[] {
    return this.record(() => {
      this.now = now;
      for (const o of this.orders.slice()) this.cancelOrder(o.key, reason, 'canceled');
      this.settle();
    });
  }

  /** Close every open position at exactly `price` (taker fee, no slippage), tagging the fills with `tag`. */
  closeAll(price: number, now: number, tag: string): readonly EngineEvent[] {
    return this.record(() => {
      this.now = now;
      if (this.long.qty > 0) this.forceClose('long', price, tag, 'taker');
      if (this.short.qty > 0) this.forceClose('short', price, tag, 'taker');
      this.settle();
    });
  }

  /** spot: quote balance; perp: wallet balance (margins included, unrealized PnL excluded). */
  get balance(): number {
    return this.wallet;
  }

  /** spot: base balance. */
  get baseBalance(): number {
    return this.base;
  }

  /** Balance plus the value of open positions at `price`. */
  equity(price: number): number {
    if (!this.perp) return this.wallet + this.base * price;
    let e = this.wallet;
    if (this.long.qty > 0) e += (price - this.long.avg) * this.long.qty;
    if (this.short.qty > 0) e += (this.short.avg - price) * this.short.qty;
    return e;
  }

  /** Quote available for new orders. */
  get freeBalance(): number {
    if (!this.perp) return this.wallet - this.reservedQuote;
    return this.wallet - this.long.margin - this.short.margin - this.reservedQuote;
  }

  get lastSeenPrice(): number {
    return this.lastPrice;
  }

  hasOpenPosition(): boolean {
    return this.long.qty > 0 || this.short.qty > 0;
  }

  position(side: PositionSide): PositionView {
    const p = side === 'long' ? this.long : this.short;
    return {
      positionSide: side,
      qty: p.qty,
      avgPrice: p.qty > 0 ? p.avg : 0,
      margin: p.margin,
      liquidationPrice: this.perp && p.qty > 0 && Number.isFinite(p.liq) && p.liq > 0 ? p.liq : null,
    };
  }

  openOrders(): RestingOrderView[] {
    return this.orders.map((o) => ({
      key: o.key,
      type: o.type,
      side: o.side,
      positionSide: o.positionSide,
      amount: o.amount,
      ...(o.type === 'limit' ? { price: o.price } : {}),
      ...(o.type === 'stop_market' ? { triggerPrice: o.trigger } : {}),
      reduceOnly: o.reduceOnly,
      tag: o.tag,
    }));
  }

  get openOrderCount(): number {
    return this.orders.length;
  }

  // ───────────────────────────── events ─────────────────────────────

  private record(fn: () => void): readonly EngineEvent[] {
    const outer = this.log;
    const mine: EngineEvent[] = [];
    this.log = mine;
    try {
      fn();
    } finally {
      this.log = outer;
      if (outer) for (const e of mine) outer.push(e);
    }
    return mine.length ? mine : EMPTY;
  }

  private emit(e: EngineEvent): void {
    if (this.log) this.log.push(e);
    if (e.type !== 'funding') this.reactable++;
    if (this.handler) this.queue.push(e);
  }

  /**
   * A safe point: hand what happened since the last one to the handler (whose intents are applied here and
   * may cause more events, handed over in turn). Returns false when a pausing walk must stop here.
   */
  private settle(): boolean {
    if (this.handler) {
      this.reactable = 0;
      if (this.dispatching) return true;
      this.dispatching = true;
      try {
        let guard = 0;
        while (this.queue.length) {
          if (++guard > MAX_EVENTS_PER_POINT) throw new Error('matching engine: event storm (handler keeps answering)');
          const ev = this.queue.shift() as EngineEvent;
          const intents = this.handler(ev);
          if (intents) for (const it of intents) this.applyIntent(it);
        }
      } finally {
        this.dispatching = false;
        this.queue.length = 0;
        this.reactable = 0;
      }
      return true;
    }
    if (this.reactable === 0) return true;
    this.reactable = 0;
    return !(this.pausing && this.walk !== null);
  }

  private closed(o: { key: string; tag: string }, status: 'canceled' | 'rejected' | 'expired', reason: string): void {
    this.emit({ type: 'closed', tag: o.tag, event: { key: o.key, status, reason, time: this.now } });
  }

  // ───────────────────────────── intents ─────────────────────────────

  private applyIntent(intent: Intent): void {
    if (intent.action === 'cancel') {
      this.cancelOrder(intent.key, intent.reason, 'canceled');
      return;
    }
    this.place(intent);
  }

  private place(it: OrderIntent): void {
    if (this.byKey.has(it.key)) return; // idempotent re-submission
    if (this.usedKeys.has(it.key)) return this.closed(it, 'rejected', 'duplicate_key');
    this.usedKeys.add(it.key);
    const reject = (reason: string) => this.closed(it, 'rejected', reason);
    if (!(it.amount > 0) || !Number.isFinite(it.amount)) return reject('invalid_amount');
    if (it.type === 'limit' && !(it.price !== undefined && it.price > 0 && Number.isFinite(it.price))) return reject('invalid_price');
    if (it.type === 'stop_market' && !(it.triggerPrice !== undefined && it.triggerPrice > 0 && Number.isFinite(it.triggerPrice)))
      return reject('invalid_trigger_price');
    if (!this.perp && it.positionSide !== 'long') return reject('spot_no_short');
    const isBuy = it.side === 'buy';
    const opening = !it.reduceOnly && (it.positionSide === 'long' ? isBuy : !isBuy);
    const o: Order = {
      key: it.key,
      type: it.type,
      side: it.side,
      isBuy,
      positionSide: it.positionSide,
      amount: it.amount,
      price: it.type === 'limit' ? (it.price as number) : NaN,
      trigger: it.type === 'stop_market' ? (it.triggerPrice as number) : NaN,
      reduceOnly: it.reduceOnly,
      tag: it.tag,
      opening,
      seq: this.seq++,
      fresh: true,
      reserveQuote: 0,
      reserveBase: 0,
    };
    if (o.type === 'limit') {
      if (opening) {
        const need = this.perp ? o.amount * o.price * (1 / this.leverage + this.feeMaker) : o.amount * o.price * (1 + this.feeMaker);
        if (this.freeBalance + 1e-9 < need) return reject(this.perp ? 'insufficient_margin' : 'insufficient_balance');
        o.reserveQuote = need;
        this.reservedQuote += need;
      } else if (!this.perp && !o.reduceOnly) {
        if (this.base - this.reservedBase + this.dust < o.amount) return reject('insufficient_base_balance');
        o.reserveBase = o.amount;
        this.reservedBase += o.amount;
      }
    }
    this.orders.push(o);
    this.byKey.set(o.key, o);
    this.hasFresh = true;
  }

  private removeOrder(o: Order): void {
    const i = this.orders.indexOf(o);
    if (i >= 0) this.orders.splice(i, 1);
    this.byKey.delete(o.key);
    if (o.reserveQuote) {
      this.reservedQuote -= o.reserveQuote;
      if (this.reservedQuote < 1e-9) this.reservedQuote = 0;
      o.reserveQuote = 0;
    }
    if (o.reserveBase) {
      this.reservedBase -= o.reserveBase;
      if (this.reservedBase < this.dust) this.reservedBase = 0;
      o.reserveBase = 0;
    }
  }

  private cancelOrder(key: string, reason: string, status: 'canceled' | 'rejected' | 'expired'): void {
    const o = this.byKey.get(key);
    if (!o) return;
    this.removeOrder(o);
    this.closed(o, status, reason);
  }

  // ───────────────────────────── path walking ─────────────────────────────

  /** Cheap pre-check: can anything happen inside [low, high] given the open? */
  private mayTrade(open: number, high: number, low: number): boolean {
    if (this.hasFresh) return true;
    if (this.long.qty > 0 && this.perp && low <= this.long.liq) return true;
    if (this.short.qty > 0 && this.perp && high >= this.short.liq) return true;
    const os = this.orders;
    for (let i = 0; i < os.length; i++) {
      const o = os[i];
      if (o.type === 'market') return true;
      const level = o.type === 'limit' ? o.price : o.trigger;
      if (level >= low && level <= high) return true;
      // gaps (level beyond the open on the executable side) are within [low, high] too unless the open is outside
      if (o.type === 'limit' ? (o.isBuy ? open <= level : open >= level) : o.isBuy ? open >= level : open <= level) return true;
    }
    return false;
  }

  /** Execute everything executable at one price point (the open, or the point a fill happened). False: paused (call again to go on). */
  private point(price: number): boolean {
    for (let guard = 0; ; guard++) {
      if (guard > MAX_EVENTS_PER_POINT) throw new Error('matching engine: too many executions at one price point');
      let best: Order | null = null;
      let bestRank = 99;
      let liqSide: PositionSide | null = null;
      if (this.perp) {
        if (this.long.qty > 0 && price <= this.long.liq) liqSide = 'long';
        else if (this.short.qty > 0 && price >= this.short.liq) liqSide = 'short';
      }
      if (liqSide) {
        const p = liqSide === 'long' ? this.long : this.short;
        this.forceClose(liqSide, p.liq, 'liquidation', 'taker', true);
        if (!this.settle()) return false;
        continue;
      }
      const os = this.orders;
      for (let i = 0; i < os.length; i++) {
        const o = os[i];
        let rank = 99;
        if (o.type === 'market') rank = RANK_MARKET;
        else if (o.type === 'stop_market') {
          if (o.isBuy ? price >= o.trigger : price <= o.trigger) rank = RANK_STOP;
        } else if (o.isBuy ? (this.through ? price < o.price : price <= o.price) : this.through ? price > o.price : price >= o.price) {
          rank = RANK_LIMIT;
        }
        if (rank < bestRank) {
          best = o;
          bestRank = rank;
        }
      }
      if (!best) break;
      const s = this.slippage;
      if (bestRank === RANK_LIMIT) {
        if (best.fresh) {
          const p = best.isBuy ? Math.min(best.price, price * (1 + s)) : Math.max(best.price, price * (1 - s));
          this.execute(best, p, 'taker');
        } else this.execute(best, best.price, 'maker');
      } else {
        this.execute(best, best.isBuy ? price * (1 + s) : price * (1 - s), 'taker');
      }
      if (!this.settle()) return false;
    }
    if (this.hasFresh) {
      for (let i = 0; i < this.orders.length; i++) this.orders[i].fresh = false;
      this.hasFresh = false;
    }
    return true;
  }

  /**
   * Walk price from a to b (exclusive of a, inclusive of b), executing resting orders in the order they are reached.
   * Returns NaN when b was reached, or the price of the safe point where a pausing walk stopped.
   */
  private segment(a: number, b: number): number {
    if (a === b) return NaN;
    const down = b < a;
    let cur = a;
    const through = this.through;
    for (let guard = 0; ; guard++) {
      if (guard > MAX_EVENTS_PER_POINT) throw new Error('matching engine: too many executions in one segment');
      let best: Order | null = null;
      let bestLevel = down ? -Infinity : Infinity;
      let bestRank = 99;
      let liqSide: PositionSide | null = null;
      if (this.perp) {
        if (down && this.long.qty > 0 && this.long.liq <= cur && b <= this.long.liq) {
          liqSide = 'long';
          bestLevel = this.long.liq;
          bestRank = RANK_LIQ;
        } else if (!down && this.short.qty > 0 && this.short.liq >= cur && b >= this.short.liq) {
          liqSide = 'short';
          bestLevel = this.short.liq;
          bestRank = RANK_LIQ;
        }
      }
      const os = this.orders;
      for (let i = 0; i < os.length; i++) {
        const o = os[i];
        let level: number;
        let rank: number;
        if (o.type === 'limit') {
          level = o.price;
          if (down) {
            if (!o.isBuy || level > cur || (through ? b >= level : b > level)) continue;
          } else if (o.isBuy || level < cur || (through ? b <= level : b < level)) continue;
          rank = RANK_LIMIT;
        } else if (o.type === 'stop_market') {
          level = o.trigger;
          if (down) {
            if (o.isBuy || level > cur || b > level) continue;
          } else if (!o.isBuy || level < cur || b < level) continue;
          rank = RANK_STOP;
        } else continue;
        const better = down ? level > bestLevel : level < bestLevel;
        if (better || (level === bestLevel && rank < bestRank)) {
          best = o;
          bestLevel = level;
          bestRank = rank;
          liqSide = null;
        }
      }
      if (liqSide) {
        cur = bestLevel;
        this.forceClose(liqSide, bestLevel, 'liquidation', 'taker', true);
      } else if (best) {
        cur = bestLevel;
        if (bestRank === RANK_LIMIT) this.execute(best, best.price, 'maker');
        else this.execute(best, best.isBuy ? cur * (1 + this.slippage) : cur * (1 - this.slippage), 'taker');
      } else break;
      if (!this.settle()) return cur;
      // orders placed by the handler (and anything now marketable) execute at the current point
      if (!this.point(cur)) return cur;
    }
    return NaN;
  }

  // ───────────────────────────── execution & accounting ─────────────────────────────

  private execute(o: Order, price: number, liquidity: Liquidity): void {
    this.removeOrder(o);
    const pos = o.positionSide === 'long' ? this.long : this.short;
    let qty = o.amount;
    const rate = liquidity === 'maker' ? this.feeMaker : this.feeTaker;
    if (!o.opening) {
      // closing side: never more than the position
      if (!(pos.qty > this.dust)) return this.closed(o, 'rejected', 'reduce_only_no_position');
      // clamp to the position, except by float dust: an order for exactly the position (summed from lots, so
      // 0.00652 may be held as 0.006519999999999999) fills its own clean amount and leaves the side flat
      if (qty > pos.qty + this.dust) qty = pos.qty;
      this.reduce(o.positionSide, pos, qty, price, qty * price * rate, o.key, o.tag, o.type, liquidity, o.reduceOnly);
      return;
    }
    const notional = qty * price;
    const fee = notional * rate;
    const need = this.perp ? notional / this.leverage + fee : notional + fee;
    if (this.freeBalance + 1e-9 < need) return this.closed(o, 'rejected', this.perp ? 'insufficient_margin' : 'insufficient_balance');
    // increase
    const newQty = pos.qty + qty;
    pos.avg = pos.qty > 0 ? (pos.avg * pos.qty + price * qty) / newQty : price;
    pos.qty = newQty;
    if (this.perp) {
      pos.margin += notional / this.leverage;
      this.wallet -= fee;
      this.updateLiq(o.positionSide, pos);
    } else {
      this.wallet -= notional + fee;
      this.base += qty;
    }
    const fill: Fill = { key: o.key, side: o.side, positionSide: o.positionSide, amount: qty, price, fee, time: this.now, tag: o.tag, remaining: 0 };
    this.emit({
      type: 'fill',
      fill,
      orderType: o.type,
      liquidity,
      reduceOnly: o.reduceOnly,
      increase: true,
      realizedPnl: 0,
      positionQty: pos.qty,
      positionAvgPrice: pos.avg,
    });
  }

  private reduce(
    side: PositionSide,
    pos: Position,
    qty: number,
    price: number,
    fee: number,
    key: string,
    tag: string,
    orderType: OrderType | 'liquidation',
    liquidity: Liquidity,
    reduceOnly: boolean,
    liquidation = false,
  ): void {
    const dir = side === 'long' ? 1 : -1;
    const pnl = (price - pos.avg) * qty * dir;
    const avg = pos.avg;
    let left = pos.qty - qty;
    if (left <= this.dust) left = 0;
    if (this.perp) {
      const release = left === 0 ? pos.margin : (pos.margin * qty) / pos.qty;
      if (liquidation) fee = pos.margin + pnl; // the remaining isolated margin is lost
      pos.margin -= release;
      this.wallet += pnl - fee;
    } else {
      this.wallet += qty * price - fee;
      this.base = left === 0 ? 0 : this.base - qty;
    }
    pos.qty = left;
    if (left === 0) {
      pos.margin = 0;
      pos.avg = 0;
    }
    this.updateLiq(side, pos);
    const fill: Fill = {
      key,
      side: side === 'long' ? 'sell' : 'buy',
      positionSide: side,
      amount: qty,
      price,
      fee,
      time: this.now,
      tag,
      remaining: 0,
    };
    this.emit({
      type: 'fill',
      fill,
      orderType,
      liquidity,
      reduceOnly,
      increase: false,
      realizedPnl: pnl,
      positionQty: left,
      positionAvgPrice: left > 0 ? avg : 0,
    });
    if (left === 0) this.cancelReduceOnly(side);
  }

  private forceClose(side: PositionSide, price: number, tag: string, liquidity: Liquidity, liquidation = false): void {
    const pos = side === 'long' ? this.long : this.short;
    const qty = pos.qty;
    const key = `${side}:${tag}:${this.now}`;
    this.reduce(side, pos, qty, price, liquidation ? 0 : qty * price * this.feeTaker, key, tag, liquidation ? 'liquidation' : 'market', liquidity, true, liquidation);
  }

  private cancelReduceOnly(side: PositionSide): void {
    for (const o of this.orders.slice()) {
      if (o.positionSide === side && o.reduceOnly && this.byKey.has(o.key)) this.cancelOrder(o.key, 'position_closed', 'canceled');
    }
  }

  private updateLiq(side: PositionSide, p: Position): void {
    if (!this.perp || p.qty <= 0) {
      p.liq = side === 'long' ? -Infinity : Infinity;
      return;
    }
    if (side === 'long') {
      const liq = (p.avg * p.qty - p.margin) / (p.qty * (1 - this.mmr));
      p.liq = liq > 0 ? liq : -Infinity;
    } else p.liq = (p.avg * p.qty + p.margin) / (p.qty * (1 + this.mmr));
  }

  private applyFunding(time: number, price: number): void {
    const f = this.funding;
    while (this.fundingIdx < f.length && f[this.fundingIdx].time <= time) {
      const { rate, time: ft } = f[this.fundingIdx++];
      for (const side of ['long', 'short'] as const) {
        const p = side === 'long' ? this.long : this.short;
        if (!(p.qty > 0)) continue;
        const amount = p.qty * price * rate * (side === 'long' ? 1 : -1);
        this.wallet -= amount;
        p.margin -= amount;
        this.updateLiq(side, p);
        this.emit({ type: 'funding', time: ft, positionSide: side, rate, price, amount });
      }
    }
  }
}
