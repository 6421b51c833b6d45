import { cleanDecimals as cleanDecimalsImport, isOpeningOrder as isOpeningOrderImport, liquidationKey, type Candle, type Fill, type Intent, type OrderIntent, type OrderSide, type OrderType, type PositionSide } from '@tb/strategies';
import type {
  EngineEvent,
  EngineEventHandler,
  FundingRate,
  Liquidity,
  MarginMode,
  MatchingConfig,
  PositionView,
  RestingOrderView,
} from './matching.types';

/**
 * The matching engine (docs/architecture.md §3, docs/adr/0003-matching-engine.md): one pure module that the backtester
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
 *   slippage. Taker fee. With `trailingOffset` the trigger follows every price the walk visits (open, each
 *   execution point, each waypoint): sell stop max(trigger, price − offset), buy stop min(trigger, price + offset),
 *   so a trailing stop triggers inside the candle that turns against it (docs/adr/0013-trailing-stop-in-candle.md).
 * - Prices worsened by slippage are rounded to the market's tick against the account (buy up, sell down); a
 *   limit never fills beyond its price.
 * - reduce-only (and every order that closes: sell on a long, buy on a short, spot sells): never
 *   increases a position. At fill time the amount is clamped to the position; with no position the order
 *   is rejected (`reduce_only_no_position`). When a position goes flat, the resting reduce-only orders on
 *   that side are canceled (`position_closed`), as exchanges do.
 * - Orders are filled whole (no volume model); a clamped reduce-only order completes with the clamped amount.
 * - A key that is already resting is ignored (idempotent re-submission); a key of a finished order is
 *   rejected (`duplicate_key`) while it is remembered: at least the last `rememberFinishedKeys` (N, default 4096)
 *   finished keys are, at most the last 2N — they are forgotten N at a time, so memory stays flat. Canceling an
 *   unknown key does nothing.
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
 * - perp (USDT-margined, hedge mode): one position per positionSide; initial margin = notional / leverage;
 *   wallet balance includes margins; free = wallet − margins − reservations. Opening orders need
 *   free ≥ margin + fee (resting limits reserve it). Fees are ignored in liquidation prices.
 *   ISOLATED (default): long (E·q − M) / (q·(1 − mmr)), short (E·q + M) / (q·(1 + mmr)) with M the side's
 *   margin. When the path reaches it the side is closed AT the liquidation price and its whole margin is lost:
 *   the price PnL is realized and the remaining margin is charged as a liquidation fee (realized − fee = −margin).
 *   CROSS (docs/adr/0011-cross-margin-and-funding.md): the account is liquidated when its equity
 *   W + (P − aL)·qL + (aS − P)·qS falls to the maintenance margin mmr·(qL + qS)·P, i.e. at
 *   P = (aL·qL − aS·qS − W) / (qL − qS − mmr·(qL + qS)) (below the price when that denominator is > 0, above
 *   when < 0). Every position is then closed at P, the remaining equity is lost (charged as the liquidation fee
 *   of the last close, leaving the wallet at 0) and every resting order is canceled ('liquidation').
 * - funding: amount = qty × mark × rate, paid by longs and received by shorts when the rate is positive; taken
 *   from the wallet (isolated: also from the side's margin). Funding due at or before a bar's open is applied at
 *   the open; with `barMs`, a funding time inside the bar is applied when the walk reaches its point of the path
 *   (waypoints at 0, 1/3, 2/3 and 1 of the bar, linear in between; the mark is the walk's price there), before
 *   the orders beyond it. Without `barMs` it waits for the next bar's open.
 * - Rejections (insufficient balance/margin, no shorting on spot, bad amount, reduce-only without a
 *   position) are `closed` events with status 'rejected' and a reason.
 * - Ledger: every fill carries its realized PnL and fee, every funding event its amount, so
 *   wallet = initial + Σ realized − Σ fees − Σ funding at all times.
 */

// Bound once at module load: the CommonJS output reaches an imported function through the exporting module's getters
// (two for @tb/strategies' re-exports) on every call — per placed order and per slipped price here.
const isOpeningOrder = isOpeningOrderImport;
const cleanDecimals = cleanDecimalsImport;

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
  trigger: number; // trigger price or NaN (moves for trailing stops)
  readonly reduceOnly: boolean;
  readonly tag: string;
  /** Increases the position when filled (buy on long, sell on short). */
  readonly opening: boolean;
  /** trailing offset of a trailing stop (NaN otherwise) */
  readonly trail: number;
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

type JsonOrder = Omit<Order, 'price' | 'trigger' | 'trail'> & { price: number | null; trigger: number | null; trail?: number | null };

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

const tickDecimalsCache = new Map<number, number>();
/** Decimals of a tick size (0.1 → 1, 0.005 → 3); memoised (a handful of distinct ticks per process). */
function tickDecimals(t: number): number {
  let d = tickDecimalsCache.get(t);
  if (d === undefined) {
    d = 0;
    while (d < 12 && Math.abs(Math.round(t * 10 ** d) - t * 10 ** d) > 1e-9) d++;
    tickDecimalsCache.set(t, d);
  }
  return d;
}

/** What closes a position: a resting order, or a forced close (`forceClose`) described the same way. */
interface Reducer {
  readonly key: string;
  readonly tag: string;
  readonly type: OrderType | 'liquidation';
  readonly reduceOnly: boolean;
  readonly positionSide: PositionSide;
}

/** Isolated: the side's remaining margin is lost; cross_last: the account's remaining equity; cross: a side closed first. */
type Liquidation = 'isolated' | 'cross' | 'cross_last';

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
  private readonly cross: boolean;
  private readonly barMs: number; // NaN when unknown
  private readonly tick: number;
  /** Liquidation thresholds of the walk: liquidate when price <= liqDown / >= liqUp (isolated: long / short side). */
  private liqDown = -Infinity;
  private liqUp = Infinity;
  /** resting trailing stops */
  private trailing = 0;

  /** spot: quote balance; perp: wallet balance (margins included). */
  private wallet: number;
  /** spot only */
  private base = 0;
  private reservedQuote = 0;
  private reservedBase = 0;

  private readonly long: Position = { qty: 0, avg: 0, margin: 0, liq: -Infinity };
  private readonly short: Position = { qty: 0, avg: 0, margin: 0, liq: Infinity };

  private orders: Order[] = [];
  /**
   * The keys the engine knows, in generations of `keepKeys` finished keys (no per-key deletion: a map that only
   * grows and is dropped whole never rehashes its tombstones). `keys`: every resting order's key (-> the order) and
   * the keys finished in this generation (-> null, `finCount` of them); `olderKeys`: the previous generation's.
   */
  private keys = new Map<string, Order | null>();
  private olderKeys: Map<string, Order | null> | null = null;
  private finCount = 0;
  private readonly keepKeys: number;
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
  /** The record `walkBar` walks candles in (reused: never more than one walk in progress). */
  private readonly walkRec: Walk = { time: 0, pts: [0, 0, 0, 0], lowFirst: true, seg: 0, cur: 0, atPoint: false };
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
    const mode: MarginMode = c.marginMode ?? 'isolated';
    if (mode !== 'isolated' && mode !== 'cross') throw new RangeError("marginMode must be 'isolated' or 'cross'");
    this.cross = this.perp && mode === 'cross';
    this.barMs = c.barMs !== undefined && c.barMs > 0 ? c.barMs : NaN;
    this.tick = c.market.tickSize > 0 ? c.market.tickSize : 0;
    this.keepKeys = c.rememberFinishedKeys ?? 4096;
    if (!(this.keepKeys >= 0)) throw new RangeError('rememberFinishedKeys must be >= 0');
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
      orders: this.orders.map((o) => ({ ...o, price: finiteOrNull(o.price), trigger: finiteOrNull(o.trigger), trail: finiteOrNull(o.trail) })),
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
    e.orders = snap.orders.map((o) => ({ ...o, price: o.price ?? NaN, trigger: o.trigger ?? NaN, trail: o.trail ?? NaN }));
    for (const o of e.orders) {
      e.keys.set(o.key, o);
      if (o.trail === o.trail) e.trailing++;
    }
    e.seq = snap.seq;
    e.hasFresh = snap.hasFresh;
    e.fundingIdx = snap.fundingIdx;
    e.now = snap.now;
    e.lastPrice = snap.lastPrice ?? NaN;
    e.updateLiqs();
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

  /**
   * `apply` for a caller that takes the events through its handler (the backtester): the same effects, without
   * collecting them into a list (no closure, no array per intent on the hot path).
   */
  submit(intent: Intent, now: number): void {
    if (this.log !== null) {
      this.apply(intent, now);
      return;
    }
    this.now = now;
    this.applyIntent(intent);
    this.settle();
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
    if (!this.barStarts(time, open, high, low, close)) return EMPTY;
    return this.record(() => this.walkBar(time, open, high, low, close));
  }

  /**
   * `processBar` for a caller that takes the events through its handler (the backtester): the same walk, without
   * collecting the events into a list (no closure, no array per candle that trades).
   */
  advanceBar(time: number, open: number, high: number, low: number, close: number): void {
    if (!this.barStarts(time, open, high, low, close)) return;
    if (this.log !== null) this.record(() => this.walkBar(time, open, high, low, close));
    else this.walkBar(time, open, high, low, close);
  }

  /** Start of a candle: false when nothing can happen inside it (then it is already done: trailing stops, last price). */
  private barStarts(time: number, open: number, high: number, low: number, close: number): boolean {
    if (this.walk) throw new Error('matching engine: the previous candle walk is paused; resume() it first');
    this.now = time;
    const fi = this.fundingIdx;
    const dueFunding = fi < this.funding.length && this.funding[fi].time <= time;
    // a funding time inside the bar (known only with barMs) is applied on the walk
    const fundingInBar = !dueFunding && fi < this.funding.length && this.funding[fi].time < time + this.barMs;
    if (!dueFunding && !fundingInBar && !this.mayTrade(open, high, low)) {
      if (this.trailing) this.trailTo(high, low);
      this.lastPrice = close;
      return false;
    }
    return true;
  }

  /** Funding due at the open, then the walk of the candle (see `runWalk`), in the engine's reusable walk record. */
  private walkBar(time: number, open: number, high: number, low: number, close: number): void {
    const fi = this.fundingIdx;
    if (fi < this.funding.length && this.funding[fi].time <= time) {
      this.applyFunding(time, open);
      this.settle();
    }
    const up = high - open;
    const down = open - low;
    const lowFirst = down < up || (down === up && this.long.qty - this.short.qty >= 0);
    // one walk at a time (a paused one must be resumed before the next candle), so one record serves every candle
    const w = this.walkRec;
    w.time = time;
    const pts = w.pts;
    pts[0] = open;
    pts[1] = lowFirst ? low : high;
    pts[2] = lowFirst ? high : low;
    pts[3] = close;
    w.lowFirst = lowFirst;
    w.seg = 0;
    w.cur = open;
    w.atPoint = true;
    this.walk = w;
    this.runWalk(w);
  }

  /**
   * Walk the candle from where `w` stands; leaves `this.walk` set when it pauses. A funding time inside the bar is
   * a stop of the walk inside its segment (see `fundingStop`): the walk goes to its price, applies it, processes
   * the point there, then goes on — so a paused walk resumes to the same stop (the funding cursor says what is due).
   */
  private runWalk(w: Walk): void {
    for (;;) {
      if (w.atPoint) {
        if (!this.point(w.cur)) return;
        w.atPoint = false;
      }
      if (w.seg >= 3) break;
      const fp = this.fundingStop(w);
      const b = fp === fp ? fp : w.pts[w.seg + 1];
      const at = this.segment(w.cur, b);
      if (at === at) {
        // paused at a safe point inside the segment: the point at `at` is processed first on resume
        w.cur = at;
        w.atPoint = true;
        return;
      }
      w.cur = b;
      if (fp === fp) {
        this.applyFunding(this.funding[this.fundingIdx].time, b, true);
        this.settle();
        w.atPoint = true; // a liquidation the funding caused, or anything now marketable, happens here
      } else w.seg++;
    }
    this.walk = null;
    this.lastPrice = w.pts[3];
  }

  /**
   * The price of the walk at the next funding time when it falls inside the current segment of `w` (NaN otherwise).
   * Time maps onto the walk as: waypoint k (open, first extreme, second extreme, close) at time + k·barMs/3, linear
   * in between (docs/adr/0011-cross-margin-and-funding.md).
   */
  private fundingStop(w: Walk): number {
    const f = this.funding;
    if (this.fundingIdx >= f.length || !(this.barMs > 0)) return NaN;
    const third = this.barMs / 3;
    const t0 = w.time + w.seg * third;
    const ft = f[this.fundingIdx].time;
    if (ft >= t0 + third || ft >= w.time + this.barMs) return NaN;
    const a = w.pts[w.seg];
    const b = w.pts[w.seg + 1];
    const frac = ft <= t0 ? 0 : (ft - t0) / third;
    const p = a + (b - a) * frac;
    // never behind where the walk stands (a pause may have moved it on)
    return b >= a ? Math.max(p, w.cur) : Math.min(p, w.cur);
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
          for (const o of fresh) if (this.keys.get(o.key) === o) this.orders.push(o);
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
      ...(o.trail === o.trail ? { trailingOffset: o.trail } : {}),
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
        if (this.queue.length !== 0) this.queue.length = 0; // a length store is a runtime call even when unchanged
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
    let known = this.keys.get(it.key);
    if (known === undefined && this.olderKeys !== null && this.olderKeys.has(it.key)) known = null;
    if (known !== undefined) {
      // a resting order's key: idempotent re-submission; a remembered finished one: refused
      if (known === null) this.closed(it, 'rejected', 'duplicate_key');
      return;
    }
    if (!(it.amount > 0) || !Number.isFinite(it.amount)) return this.rejectPlace(it, 'invalid_amount');
    if (it.type === 'limit' && !(it.price !== undefined && it.price > 0 && Number.isFinite(it.price))) return this.rejectPlace(it, 'invalid_price');
    if (it.type === 'stop_market' && !(it.triggerPrice !== undefined && it.triggerPrice > 0 && Number.isFinite(it.triggerPrice)))
      return this.rejectPlace(it, 'invalid_trigger_price');
    const trail = it.type === 'stop_market' && it.trailingOffset !== undefined ? it.trailingOffset : NaN;
    if (trail === trail && !(trail > 0 && Number.isFinite(trail))) return this.rejectPlace(it, 'invalid_trailing_offset');
    if (!this.perp && it.positionSide !== 'long') return this.rejectPlace(it, 'spot_no_short');
    const isBuy = it.side === 'buy';
    const opening = isOpeningOrder(it);
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
      trail,
      seq: this.seq++,
      fresh: true,
      reserveQuote: 0,
      reserveBase: 0,
    };
    if (o.type === 'limit') {
      if (opening) {
        const need = this.perp ? o.amount * o.price * (1 / this.leverage + this.feeMaker) : o.amount * o.price * (1 + this.feeMaker);
        if (this.freeBalance + 1e-9 < need) return this.rejectPlace(it, this.perp ? 'insufficient_margin' : 'insufficient_balance');
        o.reserveQuote = need;
        this.reservedQuote += need;
      } else if (!this.perp && !o.reduceOnly) {
        if (this.base - this.reservedBase + this.dust < o.amount) return this.rejectPlace(it, 'insufficient_base_balance');
        o.reserveBase = o.amount;
        this.reservedBase += o.amount;
      }
    }
    this.orders.push(o);
    this.keys.set(o.key, o);
    if (trail === trail) this.trailing++;
    this.hasFresh = true;
  }

  /** An intent refused at placement: its key counts as used (finished), and a 'rejected' closed event says why. */
  private rejectPlace(it: OrderIntent, reason: string): void {
    this.keys.set(it.key, null);
    this.finishKey(it.key);
    this.closed(it, 'rejected', reason);
  }

  /**
   * A key's order is finished (its entry in `keys` is null). After `keepKeys` of them the generation turns: the
   * current map becomes the older one (the one before is forgotten) and the new map starts with the resting orders.
   */
  private finishKey(key: string): void {
    const cap = this.keepKeys;
    if (cap === Infinity) return;
    if (cap === 0) {
      this.keys.delete(key);
      return;
    }
    if (++this.finCount < cap) return;
    const next = new Map<string, Order | null>();
    for (const [k, o] of this.keys) if (o !== null) next.set(k, o);
    this.olderKeys = this.keys;
    this.keys = next;
    this.finCount = 0;
  }

  private removeOrder(o: Order): void {
    const os = this.orders;
    const i = os.indexOf(o);
    if (i >= 0) {
      // splice(i, 1) without the array of removed elements it allocates (once per finished order)
      for (let k = i + 1; k < os.length; k++) os[k - 1] = os[k];
      os.pop();
    }
    this.keys.set(o.key, null);
    this.finishKey(o.key);
    if (o.trail === o.trail) this.trailing--;
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
    const o = this.keys.get(key);
    if (!o) return; // unknown, or finished (null)
    this.removeOrder(o);
    this.closed(o, status, reason);
  }

  // ───────────────────────────── path walking ─────────────────────────────

  /** Cheap pre-check: can anything happen inside [low, high] given the open? */
  private mayTrade(open: number, high: number, low: number): boolean {
    if (this.hasFresh) return true;
    if (low <= this.liqDown || high >= this.liqUp) return true;
    const os = this.orders;
    for (let i = 0; i < os.length; i++) {
      const o = os[i];
      if (o.type === 'market') return true;
      let level = o.type === 'limit' ? o.price : o.trigger;
      // a trailing stop may have followed the candle's best price before the candle turned
      if (o.trail === o.trail) level = o.isBuy ? Math.min(level, low + o.trail) : Math.max(level, high - o.trail);
      if (level >= low && level <= high) return true;
      // gaps (level beyond the open on the executable side) are within [low, high] too unless the open is outside
      if (o.type === 'limit' ? (o.isBuy ? open <= level : open >= level) : o.isBuy ? open >= level : open <= level) return true;
    }
    return false;
  }

  /** Execute everything executable at one price point (the open, or the point a fill happened). False: paused (call again to go on). */
  private point(price: number): boolean {
    if (this.trailing) this.trailTo(price, price);
    for (let guard = 0; ; guard++) {
      if (guard > MAX_EVENTS_PER_POINT) throw new Error('matching engine: too many executions at one price point');
      let best: Order | null = null;
      let bestRank = 99;
      if (price <= this.liqDown || price >= this.liqUp) {
        this.liquidate(price <= this.liqDown);
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
      if (bestRank === RANK_LIMIT) {
        if (best.fresh) {
          const sp = this.slipped(best.isBuy, price);
          this.execute(best, best.isBuy ? Math.min(best.price, sp) : Math.max(best.price, sp), 'taker');
        } else this.execute(best, best.price, 'maker');
      } else {
        this.execute(best, this.slipped(best.isBuy, price), 'taker');
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
      let liq = false;
      if (down ? this.liqDown <= cur && b <= this.liqDown : this.liqUp >= cur && b >= this.liqUp) {
        liq = true;
        bestLevel = down ? this.liqDown : this.liqUp;
        bestRank = RANK_LIQ;
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
          liq = false;
        }
      }
      if (liq) {
        cur = bestLevel;
        if (this.trailing) this.trailTo(cur, cur);
        this.liquidate(down);
      } else if (best) {
        cur = bestLevel;
        if (this.trailing) this.trailTo(cur, cur);
        if (bestRank === RANK_LIMIT) this.execute(best, best.price, 'maker');
        else this.execute(best, this.slipped(best.isBuy, cur), 'taker');
      } else break;
      if (!this.settle()) return cur;
      // orders placed by the handler (and anything now marketable) execute at the current point
      if (!this.point(cur)) return cur;
    }
    if (this.trailing) this.trailTo(b, b);
    return NaN;
  }

  /** Trailing stops follow the prices seen: sell max(trigger, hi − offset), buy min(trigger, lo + offset). */
  private trailTo(hi: number, lo: number): void {
    const os = this.orders;
    for (let i = 0; i < os.length; i++) {
      const o = os[i];
      if (o.trail !== o.trail) continue;
      if (o.isBuy) {
        const t = lo + o.trail;
        if (t < o.trigger) o.trigger = t;
      } else {
        const t = hi - o.trail;
        if (t > o.trigger) o.trigger = t;
      }
    }
  }

  /** A price worsened by slippage, rounded to the tick against the account (buy up, sell down). */
  private slipped(isBuy: boolean, price: number): number {
    const p = isBuy ? price * (1 + this.slippage) : price * (1 - this.slippage);
    const t = this.tick;
    if (!(t > 0) || this.slippage === 0) return p;
    // 1e-9 of a tick absorbs float noise (100 × 1.001 = 100.10000000000001 stays 100.1)
    const r = (isBuy ? Math.ceil(p / t - 1e-9) : Math.floor(p / t + 1e-9)) * t;
    // the float product can carry noise (0.30000000000000004): keep the tick's own decimals
    return cleanDecimals(r, tickDecimals(t)); // Number(r.toFixed(d)) without the string round trip
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
      this.reduce(o, qty, price, qty * price * rate, liquidity);
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
      this.updateLiqs();
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

  /**
   * A fill that reduces `by.positionSide` by `qty` at `price` (`fee` charged; a liquidation instead loses the margin or
   * the equity left): realized PnL, margin release, the fill event, and the side's reduce-only orders canceled once flat.
   */
  private reduce(by: Reducer, qty: number, price: number, fee: number, liquidity: Liquidity, liquidation: Liquidation | null = null): void {
    const side = by.positionSide;
    const pos = side === 'long' ? this.long : this.short;
    const dir = side === 'long' ? 1 : -1;
    const pnl = (price - pos.avg) * qty * dir;
    const avg = pos.avg;
    let left = pos.qty - qty;
    if (left <= this.dust) left = 0;
    if (this.perp) {
      const release = left === 0 ? pos.margin : (pos.margin * qty) / pos.qty;
      if (liquidation === 'isolated') fee = pos.margin + pnl; // the remaining isolated margin is lost
      else if (liquidation === 'cross_last') fee = this.wallet + pnl; // cross: the account's remaining equity is lost
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
    this.updateLiqs();
    const fill: Fill = {
      key: by.key,
      side: side === 'long' ? 'sell' : 'buy',
      positionSide: side,
      amount: qty,
      price,
      fee,
      time: this.now,
      tag: by.tag,
      remaining: 0,
    };
    this.emit({
      type: 'fill',
      fill,
      orderType: by.type,
      liquidity,
      reduceOnly: by.reduceOnly,
      increase: false,
      realizedPnl: pnl,
      positionQty: left,
      positionAvgPrice: left > 0 ? avg : 0,
    });
    if (left === 0) this.cancelReduceOnly(side);
  }

  /** A market close of the whole side (or its liquidation): reduce-only, keyed by side, tag and time. */
  private forceClose(side: PositionSide, price: number, tag: string, liquidity: Liquidity, liquidation: Liquidation | null = null): void {
    const qty = (side === 'long' ? this.long : this.short).qty;
    const by: Reducer = { key: liquidation ? liquidationKey(side, this.now) : `${side}:${tag}:${this.now}`, tag, type: liquidation ? 'liquidation' : 'market', reduceOnly: true, positionSide: side };
    this.reduce(by, qty, price, liquidation ? 0 : qty * price * this.feeTaker, liquidity, liquidation);
  }

  /** The path reached a liquidation threshold (`down`: liqDown, else liqUp). Isolated: that side; cross: the account. */
  private liquidate(down: boolean): void {
    const price = down ? this.liqDown : this.liqUp;
    if (!this.cross) {
      this.forceClose(down ? 'long' : 'short', price, 'liquidation', 'taker', 'isolated');
      return;
    }
    const both = this.long.qty > 0 && this.short.qty > 0;
    if (this.long.qty > 0) this.forceClose('long', price, 'liquidation', 'taker', both ? 'cross' : 'cross_last');
    if (this.short.qty > 0) this.forceClose('short', price, 'liquidation', 'taker', 'cross_last');
    for (const o of this.orders.slice()) if (this.keys.get(o.key)) this.cancelOrder(o.key, 'liquidation', 'canceled'); // still resting (null: finished)
  }

  private cancelReduceOnly(side: PositionSide): void {
    for (const o of this.orders.slice()) {
      if (o.positionSide === side && o.reduceOnly && this.keys.get(o.key)) this.cancelOrder(o.key, 'position_closed', 'canceled');
    }
  }

  /** Recomputes the liquidation thresholds after any change of positions or wallet (see the class comment). */
  private updateLiqs(): void {
    if (!this.perp) return;
    const L = this.long;
    const S = this.short;
    const m = this.mmr;
    if (!this.cross) {
      const ll = L.qty > 0 ? (L.avg * L.qty - L.margin) / (L.qty * (1 - m)) : -Infinity;
      L.liq = ll > 0 ? ll : -Infinity;
      S.liq = S.qty > 0 ? (S.avg * S.qty + S.margin) / (S.qty * (1 + m)) : Infinity;
      this.liqDown = L.liq;
      this.liqUp = S.liq;
      return;
    }
    let down = -Infinity;
    let up = Infinity;
    if (L.qty > 0 || S.qty > 0) {
      const k = L.qty - S.qty - m * (L.qty + S.qty);
      const c0 = this.wallet - L.avg * L.qty + S.avg * S.qty;
      if (k > 0) {
        const p = -c0 / k;
        if (p > 0) down = p;
      } else if (k < 0) up = c0 / -k;
    }
    this.liqDown = down;
    this.liqUp = up;
    const view = Number.isFinite(down) ? down : up;
    L.liq = L.qty > 0 ? view : -Infinity;
    S.liq = S.qty > 0 ? view : Infinity;
  }

  /** Applies every funding due by `time` (or only the next one: `one`) at mark `price`. */
  private applyFunding(time: number, price: number, one = false): void {
    const f = this.funding;
    while (this.fundingIdx < f.length && f[this.fundingIdx].time <= time) {
      const { rate, time: ft } = f[this.fundingIdx++];
      for (const side of ['long', 'short'] as const) {
        const p = side === 'long' ? this.long : this.short;
        if (!(p.qty > 0)) continue;
        const amount = p.qty * price * rate * (side === 'long' ? 1 : -1);
        this.wallet -= amount;
        if (!this.cross) p.margin -= amount;
        this.updateLiqs();
        this.emit({ type: 'funding', time: ft, positionSide: side, rate, price, amount });
      }
      if (one) return;
    }
  }
}
