import { MatchingEngine, type EngineEvent, type LimitFillRule } from '@tb/matching';
import { floorAmount, isOpeningOrder, roundPrice, type Candle, type OrderIntent, type PositionSide, type Timeframe } from '@tb/strategies';
import {
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  UnknownSymbolError,
} from '../exchange.errors';
import { clientOrderIdFromKey } from '../client-order-id';
import { ExchangePort } from '../exchange.port';
import { checkMinNotional, checkOrder } from '../order-checks';
import type {
  BalanceEntry,
  CancelOrderRequest,
  CreateOrderRequest,
  ExchangeBalance,
  ExchangeMarket,
  ExchangeOrder,
  ExchangePosition,
  ExchangeTicker,
  ExchangeTrade,
} from '../exchange.types';
import { parseUnits, toUnits, unitsToNumber, type Units } from './paper-decimal';
import {
  emptyChangeSet,
  PaperBooksStaleError,
  type PaperChangeSet,
  type PaperExchangeRepository,
  type PaperOrderRow,
  type PaperProgress,
  type PaperReplayState,
  type PaperTradeRow,
} from './paper-exchange.repository';
import { PAPER_MARKETS } from './paper-markets';
import type { PaperPrice, PaperPriceFeed } from './paper-price.feed';

/** Binance's clientOrderId rule (what the OMS's clientOrderIdFromKey produces always fits). */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
/** Engine keys of the synthetic fills that rebuild positions after a restart; '#' can never be in a clientOrderId. */
const SEED = '#seed:';
/** The engines keep no money of their own: this account's ledger decides what it can afford (see `checkFunds`). */
const ENGINE_WALLET = 1e15;
const EPS = 1e-9;
/** how often an operation runs again when another process keeps moving the account's books under it */
const STALE_RETRIES = 5;
/** paper_orders.reason of the exchange's liquidation orders */
const LIQUIDATION = 'liquidation';

export const DEFAULT_PAPER_BALANCES: Readonly<Record<string, string>> = Object.freeze({ USDT: '10000' });

export interface PaperExchangeOptions {
  readonly accountId: string;
  readonly repository: PaperExchangeRepository;
  readonly feed: PaperPriceFeed;
  /** Balances of a NEW account (ignored once the account exists). Default 10,000 USDT. */
  readonly initialBalances?: Readonly<Record<string, string>>;
  /** Adverse slippage fraction for market / stop / marketable fills. Default 0.0005 (5 bp). */
  readonly slippage?: number;
  /** Fee rates; default: each market's maker/taker fee. */
  readonly fees?: { readonly maker: number; readonly taker: number };
  /** Perpetuals: leverage (isolated margin) of every position. Default 1. */
  readonly leverage?: number;
  readonly limitFill?: LimitFillRule;
  readonly markets?: ReadonlyMap<string, ExchangeMarket>;
  /** Serves fetchOHLCV (e.g. a public CcxtExchange); without it fetchOHLCV is not supported. */
  readonly marketData?: Pick<ExchangePort, 'fetchOHLCV'>;
  /** Stamps orders placed while the feed has no price yet. Default Date.now. */
  readonly clock?: () => number;
}

interface SymbolBook {
  readonly market: ExchangeMarket;
  readonly engine: MatchingEngine;
  readonly feeMaker: number;
  readonly feeTaker: number;
}

interface Book {
  /** paper_accounts.version these books stand at (moved by each commit) */
  version: number;
  readonly balances: Map<string, Units>;
  readonly open: Map<string, PaperOrderRow>;
  readonly symbols: Map<string, SymbolBook>;
  readonly progress: Map<string, PaperProgress>;
  /** perp positions as persisted (the seed of a fresh engine) */
  readonly positions: Map<string, { qty: Units; entryPrice: Units; margin: Units }>;
  /** changes made while rebuilding an engine, written by the next catch-up */
  readonly pending: PaperChangeSet[];
}

interface CatchUp {
  readonly last: PaperPrice | null;
  readonly trades: PaperTradeRow[];
}

/** Where a replayed symbol stands (see PaperExchange.startReplay). */
export interface PaperReplayStatus {
  /** open time of the bar being walked or last walked; -1 before the first */
  readonly barTime: number;
  /** the bar's walk stopped at a fill / closed order and waits for `resumeBar` */
  readonly paused: boolean;
  /** the time orders placed now are stamped with: the paused point's bar time, or the last bar's close */
  readonly now: number;
  /** the account's orders the last step touched (filled / closed), in the order the engine touched them */
  readonly touched: readonly string[];
}

/** What one replay step did. */
export type PaperReplayStep = PaperReplayStatus;

/**
 * ExchangePort for paper trading (docs/architecture.md §5): the one MatchingEngine (also the backtester's) run over a price
 * feed, with the account's balances, orders, trades and perp positions in PostgreSQL.
 *
 * - One engine per symbol, rebuilt after a restart from the persisted books: positions (spot: the base balance)
 *   are re-created by synthetic fills (keys '#seed:…', never persisted), then the open orders are re-submitted
 *   in their original order.
 * - The account's quote is shared by all its symbols, so funds are checked here, against the persisted ledger,
 *   before an order reaches its engine; resting opening orders reserve quote (spot sells reserve base) like the
 *   engine does. The engines run with a notional wallet and are used for matching, positions, fees and PnL.
 * - Money: the engine works in doubles; every value it produces is rounded once to 1e-8 (amounts and prices of
 *   PAPER_MARKETS are multiples of it) and the ledger adds exact integers of 1e-8 — see paper-decimal.ts.
 * - `advance(symbol)` consumes the feed up to its current point: every replayed bar goes through
 *   `processBar` (resting orders fill inside the bar), a live feed's price through `processPrice`.
 *   createOrder / cancelOrder catch up first, so an order never meets a stale book.
 * - Idempotency: (account, clientOrderId) is unique. A clientOrderId whose order is still open is refused
 *   (InvalidOrderError duplicate_client_order_id, like Binance); one whose order is terminal returns that
 *   order unchanged — a re-run decision can never create a second order.
 * - Operations on an account are serialized in memory; across processes its books are fenced by
 *   paper_accounts.version (a second worker, or the next replay step driven elsewhere, reloads books another process
 *   moved, and a commit on books moved meanwhile is refused and the operation runs again) — see `exclusive`.
 */
export class PaperExchange extends ExchangePort {
  readonly exchangeId = 'paper';
  readonly accountId: string;
  private readonly repo: PaperExchangeRepository;
  private readonly feed: PaperPriceFeed;
  private readonly markets: ReadonlyMap<string, ExchangeMarket>;
  private readonly initialBalances: Readonly<Record<string, string>>;
  private readonly slippage: number;
  private readonly fees?: { readonly maker: number; readonly taker: number };
  private readonly leverage: number;
  private readonly limitFill: LimitFillRule;
  private readonly marketData?: Pick<ExchangePort, 'fetchOHLCV'>;
  private readonly clock: () => number;
  private state: Book | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: PaperExchangeOptions) {
    super();
    this.accountId = options.accountId;
    this.repo = options.repository;
    this.feed = options.feed;
    this.markets = options.markets ?? PAPER_MARKETS;
    this.initialBalances = options.initialBalances ?? DEFAULT_PAPER_BALANCES;
    this.slippage = options.slippage ?? 0.0005;
    this.fees = options.fees;
    this.leverage = options.leverage ?? 1;
    this.limitFill = options.limitFill ?? 'through';
    this.marketData = options.marketData;
    this.clock = options.clock ?? (() => Date.now());
    if (!(this.slippage >= 0 && this.slippage < 1)) throw new RangeError('slippage must be in [0, 1)');
    if (!(this.leverage >= 1)) throw new RangeError('leverage must be >= 1');
    for (const v of Object.values(this.initialBalances)) parseUnits(v);
  }

  // ------------------------------------------------------------------ markets

  async loadMarkets(): Promise<ReadonlyMap<string, ExchangeMarket>> {
    return this.markets;
  }

  market(symbol: string): ExchangeMarket {
    const m = this.markets.get(symbol);
    if (!m) throw new UnknownSymbolError(`paper has no market ${symbol}`, { exchangeId: 'paper', symbol });
    return m;
  }

  prepareOrder(req: CreateOrderRequest): CreateOrderRequest {
    const ctx = { exchangeId: 'paper', symbol: req.symbol, clientOrderId: req.clientOrderId };
    if (!CLIENT_ORDER_ID.test(req.clientOrderId)) {
      throw new InvalidOrderError(`clientOrderId "${req.clientOrderId}" is not accepted by paper (${String(CLIENT_ORDER_ID)})`, 'invalid_client_order_id', ctx);
    }
    const m = this.market(req.symbol);
    const { amount, price, triggerPrice } = checkOrder(req, m, { amount: (raw) => floorAmount(m, raw), price: (raw) => roundPrice(m, raw) }, ctx);
    const { price: _p, triggerPrice: _t, ...rest } = req;
    return { ...rest, amount, ...(price !== undefined ? { price } : {}), ...(triggerPrice !== undefined ? { triggerPrice } : {}) };
  }

  // ------------------------------------------------------------------ account

  async fetchBalance(): Promise<ExchangeBalance> {
    return this.exclusive(async () => {
      const book = await this.book();
      const used = this.usedByCurrency(book);
      const assets: Record<string, BalanceEntry> = {};
      for (const [currency, totalUnits] of book.balances) {
        const u = used.get(currency) ?? 0;
        if (totalUnits === 0n && u === 0) continue;
        const total = unitsToNumber(totalUnits);
        const usedUnits = toUnits(u);
        assets[currency] = { total, used: unitsToNumber(usedUnits), free: unitsToNumber(totalUnits - usedUnits) };
      }
      return { timestamp: this.clock(), assets };
    });
  }

  async fetchPositions(symbols?: readonly string[]): Promise<ExchangePosition[]> {
    return this.exclusive(async () => {
      const book = await this.book();
      const out: ExchangePosition[] = [];
      for (const [key, p] of book.positions) {
        const [symbol, side] = splitPositionKey(key);
        if (symbols && !symbols.includes(symbol)) continue;
        const sb = this.symbolBook(book, symbol);
        const view = sb.engine.position(side);
        const mark = book.progress.get(symbol)?.price ?? null;
        const qty = unitsToNumber(p.qty);
        const entry = unitsToNumber(p.entryPrice);
        out.push({
          symbol,
          side,
          amount: qty,
          contracts: qty,
          entryPrice: entry,
          markPrice: mark,
          unrealizedPnl: mark === null ? null : Number(((mark - entry) * qty * (side === 'long' ? 1 : -1)).toFixed(8)),
          leverage: this.leverage,
          liquidationPrice: view.liquidationPrice,
          marginMode: 'isolated',
        });
      }
      return out;
    });
  }

  // ------------------------------------------------------------------ orders

  async createOrder(req: CreateOrderRequest): Promise<ExchangeOrder> {
    const order = this.prepareOrder(req);
    return this.exclusive(async () => {
      const existing = await this.repo.findOrder(this.accountId, order.clientOrderId);
      if (existing) {
        if (existing.status === 'open') {
          throw new InvalidOrderError(`paper: clientOrderId ${order.clientOrderId} is already used by an open order`, 'duplicate_client_order_id', {
            exchangeId: 'paper',
            symbol: order.symbol,
            clientOrderId: order.clientOrderId,
          });
        }
        return this.toExchangeOrder(existing, []);
      }
      const book = await this.book();
      const replay = book.progress.get(order.symbol)?.replay;
      if (replay) return this.createReplayOrder(book, order, replay);
      return this.createLiveOrder(book, order);
    });
  }

  /** createOrder on a live (not replayed) symbol: checks against the last price and funds, then the engine. */
  private async createLiveOrder(book: Book, order: CreateOrderRequest): Promise<ExchangeOrder> {
    const { last } = await this.catchUp(book, order.symbol);
    const sb = this.symbolBook(book, order.symbol);
    const m = sb.market;
    const ctx = { exchangeId: 'paper', symbol: m.symbol, clientOrderId: order.clientOrderId };
    if (order.type === 'market' && !last) throw new ExchangeUnavailableError(`paper: no price for ${m.symbol} yet`, ctx);
    if (order.type === 'market' && !(m.type === 'perp' && order.reduceOnly)) checkMinNotional(m, order.amount, last!.price, ctx);

    const positionSide = resolvePositionSide(m, order);
    const opening = isOpeningOrder({ side: order.side, positionSide, reduceOnly: order.reduceOnly });
    if (m.type === 'perp' && !opening && !(sb.engine.position(positionSide).qty > 0)) {
      throw new InvalidOrderError(`paper: reduce-only ${order.side} on ${m.symbol} rejected: no ${positionSide} position`, 'rejected', { ...ctx, engineReason: 'reduce_only_no_position' });
    }
    this.checkFunds(book, sb, order, opening, last?.price ?? null, ctx);

    const now = last?.time ?? this.clock();
    const change = emptyChangeSet(now);
    const row = newOrderRow(order, m.symbol, positionSide, now);
    change.newOrder = row;
    try {
      const submitted = sb.engine.apply(intentOf(order, positionSide), now);
      throwIfRejected(submitted, order.clientOrderId, ctx);
      book.open.set(row.clientOrderId, row);
      const events = last ? sb.engine.processPrice(last.time, last.price) : [];
      this.applyEvents(book, sb, events, change);
      await this.commit(book, change);
    } catch (e) {
      this.state = null; // the engine moved and the books may not have: rebuild from the database
      throw e;
    }
    const saved = await this.repo.findOrder(this.accountId, order.clientOrderId);
    if (!saved) throw new ExchangeUnavailableError(`paper: order ${order.clientOrderId} vanished after commit`, ctx);
    return this.toExchangeOrder(saved, await this.repo.listOrderTrades(this.accountId, saved.id));
  }

  async cancelOrder(req: CancelOrderRequest): Promise<ExchangeOrder> {
    this.market(req.symbol);
    return this.exclusive(async () => {
      const existing = await this.repo.findOrder(this.accountId, req.clientOrderId);
      if (!existing || existing.symbol !== req.symbol) {
        throw new OrderNotFoundError(`paper: no order ${req.clientOrderId} on ${req.symbol}`, { exchangeId: 'paper', symbol: req.symbol, clientOrderId: req.clientOrderId });
      }
      if (existing.status !== 'open') return this.toExchangeOrder(existing, []);
      const book = await this.book();
      const replay = book.progress.get(req.symbol)?.replay;
      if (replay) {
        if (book.open.has(req.clientOrderId)) {
          const sb = this.symbolBook(book, req.symbol);
          const now = replayNow(sb.engine, replay);
          await this.commitReplay(book, sb, req.symbol, replay, sb.engine.cancel(req.clientOrderId, now, 'canceled'), now);
        }
        return this.toExchangeOrder((await this.repo.findOrder(this.accountId, req.clientOrderId))!, []);
      }
      const { last } = await this.catchUp(book, req.symbol); // it may have filled meanwhile
      if (book.open.has(req.clientOrderId)) {
        const sb = this.symbolBook(book, req.symbol);
        const now = last?.time ?? this.clock();
        const change = emptyChangeSet(now);
        try {
          this.applyEvents(book, sb, sb.engine.cancel(req.clientOrderId, now, 'canceled'), change);
          await this.commit(book, change);
        } catch (e) {
          this.state = null;
          throw e;
        }
      }
      const saved = (await this.repo.findOrder(this.accountId, req.clientOrderId))!;
      return this.toExchangeOrder(saved, []);
    });
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeOrder | null> {
    this.market(symbol);
    const row = await this.repo.findOrder(this.accountId, clientOrderId);
    if (!row || row.symbol !== symbol) return null;
    return this.toExchangeOrder(row, await this.repo.listOrderTrades(this.accountId, row.id));
  }

  async fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]> {
    if (symbol !== undefined) this.market(symbol);
    const rows = await this.repo.listOpenOrders(this.accountId, symbol);
    return rows.map((r) => this.toExchangeOrder(r, []));
  }

  async fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<ExchangeTrade[]> {
    this.market(symbol);
    const rows = await this.repo.listTrades(this.accountId, symbol, since, limit);
    return rows.map(toExchangeTrade);
  }

  // ------------------------------------------------------------------ feed

  /**
   * Consume the feed for `symbol` up to its current point (every new replayed bar, or the live price) and
   * persist what filled. Returns the trades this call produced, oldest first. Call it on a schedule (worker)
   * or after stepping a replay feed.
   */
  async advance(symbol: string): Promise<ExchangeTrade[]> {
    this.market(symbol);
    return this.exclusive(async () => {
      const book = await this.book();
      const { trades } = await this.catchUp(book, symbol);
      return trades.filter((t) => t.symbol === symbol).map(toExchangeTrade);
    });
  }

  // ------------------------------------------------------------------ replay

  /**
   * Replay ("forward-test on history through the live pipeline", docs/adr/0010-bot-runtime.md): from now on this
   * account follows `symbol` bar by bar, driven by `replayBar` / `resumeBar`, with one matching engine whose wallet
   * is the account's quote balance, at `leverage`, PAUSING at every fill or closed order until the caller has
   * reacted (orders placed meanwhile act from that point of the bar, as in the backtester). Orders are handed to the
   * engine as they are (its margin and reduce-only rules decide, like a backtest), market orders fill at the next
   * price the walk reaches. The engine is persisted as a JSON snapshot with every change, so a restart continues
   * exactly — also in the middle of a bar. Idempotent; refused when the symbol already trades live on the account.
   */
  async startReplay(symbol: string, options: { readonly leverage: number; readonly barMs: number; readonly marginMode?: 'isolated' | 'cross' }): Promise<PaperReplayStatus> {
    const m = this.market(symbol);
    if (!(options.leverage >= 1) || !(options.barMs > 0)) throw new RangeError('startReplay: leverage >= 1 and barMs > 0 required');
    return this.exclusive(async () => {
      const book = await this.book();
      const current = book.progress.get(symbol);
      if (current?.replay) return replayStatus(this.symbolBook(book, symbol).engine, current.replay);
      const busy = [...book.open.values()].some((o) => o.symbol === symbol) || book.positions.has(positionKey(symbol, 'long')) || book.positions.has(positionKey(symbol, 'short'));
      if (busy || (m.type === 'spot' && (book.balances.get(m.base) ?? 0n) > 0n)) {
        throw new InvalidOrderError(`paper: ${symbol} already trades live on this account; replay needs a symbol of its own`, 'replay_symbol_busy', { exchangeId: 'paper', symbol });
      }
      book.symbols.delete(symbol);
      const replay: PaperReplayState = {
        leverage: m.type === 'perp' ? options.leverage : 1,
        marginMode: m.type === 'perp' ? (options.marginMode ?? 'isolated') : undefined,
        barMs: options.barMs,
        barTime: -1,
        barDone: true,
        engine: null,
      };
      book.progress.set(symbol, { time: -1, price: null, replay });
      const sb = this.symbolBook(book, symbol);
      await this.commitReplay(book, sb, symbol, replay, [], 0);
      return replayStatus(sb.engine, book.progress.get(symbol)!.replay!);
    });
  }

  /** Where a replayed symbol stands (null when the symbol is not replayed on this account). */
  async replayStatus(symbol: string): Promise<PaperReplayStatus | null> {
    this.market(symbol);
    return this.exclusive(async () => {
      const book = await this.book();
      const replay = book.progress.get(symbol)?.replay;
      return replay ? replayStatus(this.symbolBook(book, symbol).engine, replay) : null;
    });
  }

  /** Walk the next replayed bar (no-op for a bar at or before the last one). Refused while a walk is paused. */
  async replayBar(symbol: string, bar: Candle): Promise<PaperReplayStep> {
    this.market(symbol);
    return this.exclusive(async () => {
      const book = await this.book();
      const replay = this.requireReplay(book, symbol);
      const sb = this.symbolBook(book, symbol);
      if (bar.time <= replay.barTime) return replayStatus(sb.engine, replay);
      if (sb.engine.paused) throw new InvalidOrderError(`paper: the walk of bar ${replay.barTime} is paused; resume it first`, 'replay_paused', { exchangeId: 'paper', symbol });
      const events = sb.engine.processBar(bar.time, bar.open, bar.high, bar.low, bar.close);
      return this.commitReplay(book, sb, symbol, { ...replay, barTime: bar.time }, events, bar.time, bar.close);
    });
  }

  /** Continue a paused bar walk (no-op when none is paused). */
  async resumeBar(symbol: string): Promise<PaperReplayStep> {
    this.market(symbol);
    return this.exclusive(async () => {
      const book = await this.book();
      const replay = this.requireReplay(book, symbol);
      const sb = this.symbolBook(book, symbol);
      if (!sb.engine.paused) return replayStatus(sb.engine, replay);
      const cursor = sb.engine.walkCursor()!;
      return this.commitReplay(book, sb, symbol, replay, sb.engine.resume(), cursor.time, cursor.close);
    });
  }

  /**
   * The replay's walk ends here (its bot stops): a paused bar is walked to its close, then orders that wait for the
   * next price (market orders) fill at the last price walked, as a live exchange fills them at once — a stopped
   * replay has no next bar to fill them in. Returns where the replay stands; what it touched is in `touched`.
   */
  async settleReplay(symbol: string): Promise<PaperReplayStep> {
    this.market(symbol);
    return this.exclusive(async () => {
      const book = await this.book();
      const replay = this.requireReplay(book, symbol);
      const sb = this.symbolBook(book, symbol);
      const events: EngineEvent[] = [];
      while (sb.engine.paused) events.push(...sb.engine.resume());
      const price = book.progress.get(symbol)?.price ?? null;
      const now = replayNow(sb.engine, replay);
      if (price !== null) events.push(...sb.engine.processPrice(now, price));
      return this.commitReplay(book, sb, symbol, replay, events, now, price ?? undefined);
    });
  }

  private requireReplay(book: Book, symbol: string): PaperReplayState {
    const replay = book.progress.get(symbol)?.replay;
    if (!replay) throw new InvalidOrderError(`paper: ${symbol} is not replayed on this account`, 'not_replayed', { exchangeId: 'paper', symbol });
    return replay;
  }

  /** Book the events of a replayed symbol and persist them with the engine's snapshot, in one transaction. */
  private async commitReplay(
    book: Book,
    sb: SymbolBook,
    symbol: string,
    replay: PaperReplayState,
    events: readonly EngineEvent[],
    time: number,
    barClose?: number,
    newOrder?: PaperOrderRow,
  ): Promise<PaperReplayStep> {
    const change = emptyChangeSet(time);
    if (newOrder) {
      change.newOrder = newOrder;
      book.open.set(newOrder.clientOrderId, newOrder);
    }
    const touched: string[] = [];
    for (const e of events) {
      let key = e.type === 'fill' ? e.fill.key : e.type === 'closed' ? e.event.key : null;
      if (key !== null && !book.open.has(key)) key = e.type === 'fill' && e.orderType === 'liquidation' && !key.startsWith(SEED) ? this.liquidationOrderId(key) : null;
      if (key !== null && !touched.includes(key)) touched.push(key);
    }
    this.applyEvents(book, sb, events, change);
    const cursor = sb.engine.walkCursor();
    const next: PaperReplayState = { ...replay, barDone: cursor === null, engine: sb.engine.snapshot(), touched };
    const prior = book.progress.get(symbol);
    const price = cursor ? cursor.cur : (barClose ?? prior?.price ?? null);
    const p: PaperProgress = { time: replay.barTime, price, replay: next };
    book.progress.set(symbol, p);
    change.progress.set(symbol, p);
    try {
      await this.commit(book, change);
    } catch (e) {
      this.state = null; // rebuild from the database (the snapshot there is the truth)
      throw e;
    }
    return replayStatus(sb.engine, next);
  }

  /** createOrder on a replayed symbol: straight to the engine, at the walk's point in time. */
  private async createReplayOrder(book: Book, order: CreateOrderRequest, replay: PaperReplayState): Promise<ExchangeOrder> {
    const sb = this.symbolBook(book, order.symbol);
    const m = sb.market;
    const positionSide = resolvePositionSide(m, order);
    const now = replayNow(sb.engine, replay);
    const row = newOrderRow(order, m.symbol, positionSide, now);
    const submitted = sb.engine.apply(intentOf(order, positionSide), now);
    throwIfRejected(submitted, order.clientOrderId, { exchangeId: 'paper', symbol: m.symbol, clientOrderId: order.clientOrderId });
    await this.commitReplay(book, sb, order.symbol, replay, submitted, now, undefined, row);
    const saved = await this.repo.findOrder(this.accountId, order.clientOrderId);
    if (!saved) throw new ExchangeUnavailableError(`paper: order ${order.clientOrderId} vanished after commit`, { exchangeId: 'paper', symbol: m.symbol });
    return this.toExchangeOrder(saved, await this.repo.listOrderTrades(this.accountId, saved.id));
  }

  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    this.market(symbol);
    if (!this.marketData) throw new NotSupportedError('paper: fetchOHLCV needs a market data source (PaperExchangeOptions.marketData)', { exchangeId: 'paper' });
    return this.marketData.fetchOHLCV(symbol, timeframe, since, limit);
  }

  async fetchTicker(symbol: string): Promise<ExchangeTicker> {
    this.market(symbol);
    const p = await this.feed.latest(symbol);
    return { symbol, last: p?.price ?? null, bid: null, ask: null, timestamp: p?.time ?? null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    this.state = null;
  }

  // ------------------------------------------------------------------ internals: state

  /**
   * Serialize every state-touching operation of this account (the engines are in memory). Across processes the
   * books are fenced by paper_accounts.version: books another process has moved are reloaded before the operation,
   * and an operation whose commit finds them moved meanwhile runs again on the reloaded books.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      for (let i = 0; ; i++) {
        if (this.state && (await this.repo.version(this.accountId)) !== this.state.version) this.state = null;
        try {
          return await fn();
        } catch (e) {
          if (!(e instanceof PaperBooksStaleError) || i >= STALE_RETRIES) throw e;
          this.state = null;
        }
      }
    };
    const run = this.chain.then(attempt, attempt);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Persist a change set made on `book` (version-checked; see exclusive). */
  private async commit(book: Book, change: PaperChangeSet): Promise<PaperTradeRow[]> {
    const r = await this.repo.commit(this.accountId, book.version, change);
    book.version = r.version;
    return r.trades;
  }

  private async book(): Promise<Book> {
    if (this.state) return this.state;
    const initial = new Map<string, Units>();
    for (const [c, v] of Object.entries(this.initialBalances)) initial.set(c, parseUnits(v));
    await this.repo.ensureAccount(this.accountId, initial);
    const s = await this.repo.loadState(this.accountId);
    const book: Book = {
      version: s.version,
      balances: s.balances,
      open: new Map(s.openOrders.map((o) => [o.clientOrderId, o])),
      symbols: new Map(),
      progress: s.progress,
      positions: new Map(s.positions.map((p) => [positionKey(p.symbol, p.positionSide), { qty: p.qty, entryPrice: p.entryPrice, margin: p.margin }])),
      pending: [],
    };
    // rebuild an engine for every symbol that holds something
    const symbols = new Set<string>([...book.open.values()].map((o) => o.symbol));
    for (const key of book.positions.keys()) symbols.add(splitPositionKey(key)[0]);
    for (const m of this.markets.values()) if (m.type === 'spot' && (book.balances.get(m.base) ?? 0n) > 0n) symbols.add(m.symbol);
    this.state = book;
    for (const symbol of symbols) if (this.markets.has(symbol)) this.symbolBook(book, symbol);
    return book;
  }

  /** The engine of `symbol`, created (and seeded from the books) on first use. */
  private symbolBook(book: Book, symbol: string): SymbolBook {
    const existing = book.symbols.get(symbol);
    if (existing) return existing;
    const market = this.market(symbol);
    const feeMaker = this.fees?.maker ?? market.makerFee ?? 0;
    const feeTaker = this.fees?.taker ?? market.takerFee ?? 0;
    const replay = book.progress.get(symbol)?.replay;
    if (replay) {
      // a replayed symbol: the engine holds the account's quote as its wallet, and continues from its snapshot
      const quote = market.settle ?? market.quote;
      const config = {
        market,
        initialBalance: Math.max(0, unitsToNumber(book.balances.get(quote) ?? 0n)),
        feeMaker,
        feeTaker,
        slippage: this.slippage,
        limitFill: this.limitFill,
        leverage: replay.leverage,
        ...(replay.marginMode ? { marginMode: replay.marginMode } : {}),
      };
      const engine = replay.engine ? MatchingEngine.restore(config, replay.engine) : new MatchingEngine(config);
      engine.pauseOnEvents(true);
      const rsb: SymbolBook = { market, engine, feeMaker, feeTaker };
      book.symbols.set(symbol, rsb);
      return rsb;
    }
    const engine = new MatchingEngine({
      market,
      initialBalance: ENGINE_WALLET,
      feeMaker,
      feeTaker,
      slippage: this.slippage,
      limitFill: this.limitFill,
      leverage: this.leverage,
    });
    const sb: SymbolBook = { market, engine, feeMaker, feeTaker };
    book.symbols.set(symbol, sb);

    const progress = book.progress.get(symbol);
    const t = progress && progress.time >= 0 ? progress.time : 0;
    const s = this.slippage;
    // 1. positions, by synthetic market fills priced so that the fill lands on the entry price
    const seed = (side: PositionSide, qty: number, entry: number) => {
      const buy = side === 'long';
      engine.apply({ action: 'place', key: `${SEED}${side}`, type: 'market', side: buy ? 'buy' : 'sell', positionSide: side, amount: qty, reduceOnly: false, tag: 'seed' }, t);
      engine.processPrice(t, buy ? entry / (1 + s) : entry / (1 - s));
    };
    if (market.type === 'spot') {
      const base = book.balances.get(market.base) ?? 0n;
      if (base > 0n) seed('long', unitsToNumber(base), progress?.price ?? 1);
    } else {
      for (const side of ['long', 'short'] as const) {
        const p = book.positions.get(positionKey(symbol, side));
        if (p) seed(side, unitsToNumber(p.qty), unitsToNumber(p.entryPrice));
      }
    }
    // 2. back to the last price the account saw, then the resting orders in their original order
    const lastPrice = progress?.price ?? null;
    if (lastPrice !== null) engine.processPrice(t, lastPrice);
    const orders = [...book.open.values()].filter((o) => o.symbol === symbol).sort((a, b) => Number(a.id) - Number(b.id));
    for (const o of orders) {
      engine.apply(
        {
          action: 'place',
          key: o.clientOrderId,
          type: o.type,
          side: o.side,
          positionSide: o.positionSide,
          amount: unitsToNumber(o.amount),
          ...(o.price !== null ? { price: unitsToNumber(o.price) } : {}),
          ...(o.triggerPrice !== null ? { triggerPrice: unitsToNumber(o.triggerPrice) } : {}),
          reduceOnly: o.reduceOnly,
          tag: 'paper',
        },
        t,
      );
    }
    // they were resting before the restart: one look at the last price makes them resting (maker) again
    if (lastPrice !== null && orders.length) {
      const evs = engine.processPrice(t, lastPrice);
      if (evs.length) {
        // nothing should execute at the price they were resting at; if something does, book it
        const change = emptyChangeSet(t);
        this.applyEvents(book, sb, evs, change);
        book.pending.push(change);
      }
    }
    return sb;
  }

  /**
   * Feed → engine for one symbol: replayed bars through processBar, or the live price through processPrice;
   * persists fills and progress. Returns the current price (null when the feed has none yet).
   */
  private async catchUp(book: Book, symbol: string): Promise<CatchUp> {
    const sb = this.symbolBook(book, symbol);
    const trades: PaperTradeRow[] = [];
    try {
      while (book.pending.length) {
        trades.push(...(await this.commit(book, book.pending[0])));
        book.pending.shift();
      }
    } catch (e) {
      this.state = null;
      throw e;
    }
    const progress = book.progress.get(symbol);
    if (progress?.replay) return { last: progress.price !== null ? { time: progress.time, price: progress.price } : null, trades }; // driven by replayBar
    const latest = await this.feed.latest(symbol);
    const change = emptyChangeSet(latest?.time ?? this.clock());
    try {
      if (this.feed.barsSince) {
        const bars = await this.feed.barsSince(symbol, progress ? progress.time : -Infinity);
        if (!progress) {
          // first look at this symbol: start from the feed's current bar, history is not ours
          const lastBar = bars.length ? bars[bars.length - 1] : null;
          const p: PaperProgress = lastBar ? { time: lastBar.time, price: lastBar.close } : { time: -1, price: null };
          if (lastBar) sb.engine.processPrice(lastBar.time, lastBar.close);
          book.progress.set(symbol, p);
          change.progress.set(symbol, p);
        } else if (bars.length) {
          for (const b of bars) this.applyEvents(book, sb, sb.engine.processBar(b.time, b.open, b.high, b.low, b.close), change);
          const lastBar = bars[bars.length - 1];
          const p: PaperProgress = { time: lastBar.time, price: lastBar.close };
          book.progress.set(symbol, p);
          change.progress.set(symbol, p);
        }
      } else if (latest && (!progress || latest.time > progress.time || latest.price !== progress.price)) {
        this.applyEvents(book, sb, sb.engine.processPrice(latest.time, latest.price), change);
        const p: PaperProgress = { time: latest.time, price: latest.price };
        book.progress.set(symbol, p);
        change.progress.set(symbol, p);
      }
      trades.push(...(await this.commit(book, change)));
    } catch (e) {
      this.state = null;
      throw e;
    }
    return { last: latest, trades };
  }

  // ------------------------------------------------------------------ internals: ledger

  /** Book engine events into the in-memory ledger and the change set (amounts rounded once to 1e-8). */
  private applyEvents(book: Book, sb: SymbolBook, events: readonly EngineEvent[], change: PaperChangeSet): void {
    if (!events.length) return;
    const m = sb.market;
    const quote = m.settle ?? m.quote;
    const addBalance = (currency: string, delta: Units) => {
      book.balances.set(currency, (book.balances.get(currency) ?? 0n) + delta);
      change.balanceDeltas.set(currency, (change.balanceDeltas.get(currency) ?? 0n) + delta);
    };
    let positionsTouched = false;
    for (const ev of events) {
      if (ev.type === 'fill') {
        const f = ev.fill;
        if (f.key.startsWith(SEED)) continue;
        const amount = toUnits(f.amount);
        const price = toUnits(f.price);
        const cost = toUnits(f.amount * f.price);
        const fee = toUnits(f.fee);
        const pnl = m.type === 'perp' ? toUnits(ev.realizedPnl) : 0n;
        if (m.type === 'spot') {
          if (f.side === 'buy') {
            addBalance(quote, -(cost + fee));
            addBalance(m.base, amount);
          } else {
            addBalance(m.base, -amount);
            addBalance(quote, cost - fee);
          }
        } else {
          addBalance(quote, pnl - fee);
          positionsTouched = true;
        }
        const isOrder = book.open.has(f.key);
        // a liquidation is the exchange's own order (a client order id of its own, reported as touched)
        const liquidation = !isOrder && ev.orderType === 'liquidation';
        if (liquidation) {
          change.exchangeOrders.push({
            clientOrderId: this.liquidationOrderId(f.key),
            symbol: m.symbol,
            type: 'market',
            side: f.side,
            positionSide: f.positionSide,
            amount,
            price: null,
            triggerPrice: null,
            reduceOnly: true,
            createdAt: f.time,
            filled: amount,
            cost,
            fee,
            feeCurrency: quote,
            reason: LIQUIDATION,
          });
        }
        change.trades.push({
          clientOrderId: isOrder ? f.key : liquidation ? change.exchangeOrders[change.exchangeOrders.length - 1].clientOrderId : null,
          symbol: m.symbol,
          side: f.side,
          positionSide: f.positionSide,
          price,
          amount,
          cost,
          fee,
          feeCurrency: quote,
          realizedPnl: pnl,
          liquidity: ev.orderType === 'liquidation' ? 'liquidation' : ev.liquidity,
          time: f.time,
        });
        if (isOrder) {
          const done = f.remaining === 0;
          change.orderChanges.push({ clientOrderId: f.key, filled: amount, cost, fee, feeCurrency: quote, status: done ? 'closed' : null, reason: null });
          if (done) book.open.delete(f.key);
        }
      } else if (ev.type === 'closed') {
        const key = ev.event.key;
        if (!book.open.has(key)) continue;
        book.open.delete(key);
        change.orderChanges.push({ clientOrderId: key, filled: 0n, cost: 0n, fee: 0n, feeCurrency: null, status: ev.event.status, reason: ev.event.reason ?? null });
      } else {
        addBalance(quote, -toUnits(ev.amount));
        positionsTouched = true;
      }
    }
    if (positionsTouched) {
      for (const side of ['long', 'short'] as const) {
        const v = sb.engine.position(side);
        const key = positionKey(m.symbol, side);
        const qty = v.qty > 0 ? toUnits(v.qty) : 0n;
        if (qty === 0n) {
          if (book.positions.delete(key)) change.positions.push({ symbol: m.symbol, positionSide: side, qty: 0n, entryPrice: 0n, margin: 0n });
          continue;
        }
        const p = { qty, entryPrice: toUnits(v.avgPrice), margin: toUnits(v.margin) };
        book.positions.set(key, p);
        change.positions.push({ symbol: m.symbol, positionSide: side, ...p });
      }
    }
  }

  /** What the account's open orders and positions hold, by currency (doubles; rounded when reported). */
  private usedByCurrency(book: Book): Map<string, number> {
    const used = new Map<string, number>();
    const add = (c: string, v: number) => used.set(c, (used.get(c) ?? 0) + v);
    for (const o of book.open.values()) {
      const m = this.markets.get(o.symbol);
      if (!m) continue;
      const sb = this.symbolBook(book, o.symbol);
      const opening = isOpeningOrder(o);
      const amount = unitsToNumber(o.amount);
      if (m.type === 'spot' && o.side === 'sell') {
        if (o.type !== 'market') add(m.base, amount);
        continue;
      }
      if (!opening || o.type === 'market') continue;
      add(m.settle ?? m.quote, this.reservation(m, sb, o.type, amount, unitsToNumber((o.price ?? o.triggerPrice)!)));
    }
    for (const [key, p] of book.positions) {
      const m = this.markets.get(splitPositionKey(key)[0]);
      if (m) add(m.settle ?? m.quote, unitsToNumber(p.margin));
    }
    return used;
  }

  /** Quote an opening order needs: notional × (1 + fee) on spot, notional × (1/leverage + fee) on perps. */
  private reservation(m: ExchangeMarket, sb: SymbolBook, type: string, amount: number, price: number): number {
    const perUnit = m.type === 'perp' ? 1 / this.leverage : 1;
    if (type === 'limit') return amount * price * (perUnit + Math.max(sb.feeMaker, sb.feeTaker));
    // market and stop: the fill price is worsened by slippage and pays the taker fee
    return amount * price * (1 + this.slippage) * (perUnit + sb.feeTaker);
  }

  private checkFunds(book: Book, sb: SymbolBook, order: CreateOrderRequest, opening: boolean, lastPrice: number | null, ctx: Record<string, unknown>): void {
    const m = sb.market;
    const used = this.usedByCurrency(book);
    const free = (c: string) => unitsToNumber(book.balances.get(c) ?? 0n) - (used.get(c) ?? 0);
    if (m.type === 'spot' && order.side === 'sell') {
      const have = free(m.base);
      if (have + EPS < order.amount) {
        throw new InsufficientFundsError(`paper: insufficient ${m.base}: free ${have}, order needs ${order.amount}`, { ...ctx, currency: m.base, free: have, needed: order.amount });
      }
      return;
    }
    if (!opening) return;
    const price = order.type === 'limit' ? order.price! : order.type === 'stop_market' ? order.triggerPrice! : lastPrice!;
    const need = this.reservation(m, sb, order.type, order.amount, price);
    const quote = m.settle ?? m.quote;
    const have = free(quote);
    if (have + EPS < need) {
      throw new InsufficientFundsError(`paper: insufficient ${quote}: free ${have}, order needs ${need}`, { ...ctx, currency: quote, free: have, needed: need });
    }
  }



  /** The client order id of the exchange's order that liquidated (engine key `key`): unique across accounts. */
  private liquidationOrderId(key: string): string {
    return clientOrderIdFromKey(`${this.accountId}:${key}`, 'liq');
  }

  private toExchangeOrder(r: PaperOrderRow, trades: readonly PaperTradeRow[]): ExchangeOrder {
    const filled = unitsToNumber(r.filled);
    const amount = unitsToNumber(r.amount);
    const fee = r.feeCurrency !== null || r.fee !== 0n ? { cost: unitsToNumber(r.fee), currency: r.feeCurrency } : null;
    return {
      id: r.id,
      clientOrderId: r.clientOrderId,
      symbol: r.symbol,
      type: r.type,
      side: r.side,
      status: r.status,
      amount,
      filled,
      remaining: unitsToNumber(r.amount - r.filled),
      price: r.price !== null ? unitsToNumber(r.price) : null,
      average: r.filled > 0n ? Number((unitsToNumber(r.cost) / filled).toPrecision(15)) : null,
      triggerPrice: r.triggerPrice !== null ? unitsToNumber(r.triggerPrice) : null,
      reduceOnly: r.reduceOnly,
      fee,
      fees: fee ? [fee] : [],
      trades: trades.map(toExchangeTrade),
      ...(r.status === 'closed' && r.reason === LIQUIDATION ? { liquidation: true } : {}),
      timestamp: r.createdAt,
      lastUpdateTimestamp: r.updatedAt,
    };
  }
}

function replayNow(engine: MatchingEngine, r: PaperReplayState): number {
  const c = engine.walkCursor();
  if (c) return c.time;
  return r.barTime >= 0 ? r.barTime + r.barMs : 0;
}

function replayStatus(engine: MatchingEngine, r: PaperReplayState): PaperReplayStatus {
  return { barTime: r.barTime, paused: engine.paused, now: replayNow(engine, r), touched: r.touched ?? [] };
}

function newOrderRow(order: CreateOrderRequest, symbol: string, positionSide: PositionSide, now: number): PaperOrderRow {
  return {
    id: '',
    clientOrderId: order.clientOrderId,
    symbol,
    type: order.type,
    side: order.side,
    positionSide,
    amount: toUnits(order.amount),
    price: order.price !== undefined ? toUnits(order.price) : null,
    triggerPrice: order.triggerPrice !== undefined ? toUnits(order.triggerPrice) : null,
    reduceOnly: order.reduceOnly ?? false,
    status: 'open',
    filled: 0n,
    cost: 0n,
    fee: 0n,
    feeCurrency: null,
    reason: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The engine refused the order it was just given: the caller's InvalidOrderError 'rejected' with the engine's reason. */
function throwIfRejected(submitted: readonly EngineEvent[], clientOrderId: string, ctx: { exchangeId: string; symbol: string; clientOrderId: string }): void {
  const rejected = submitted.find((e) => e.type === 'closed' && e.event.key === clientOrderId && e.event.status === 'rejected');
  if (rejected && rejected.type === 'closed') {
    throw new InvalidOrderError(`paper: order rejected (${rejected.event.reason ?? 'rejected'})`, 'rejected', { ...ctx, engineReason: rejected.event.reason });
  }
}

function intentOf(order: CreateOrderRequest, positionSide: PositionSide): OrderIntent {
  return {
    action: 'place',
    key: order.clientOrderId,
    type: order.type,
    side: order.side,
    positionSide,
    amount: order.amount,
    ...(order.price !== undefined ? { price: order.price } : {}),
    ...(order.triggerPrice !== undefined ? { triggerPrice: order.triggerPrice } : {}),
    reduceOnly: order.reduceOnly ?? false,
    tag: 'paper',
  };
}

function resolvePositionSide(m: ExchangeMarket, o: CreateOrderRequest): PositionSide {
  if (m.type === 'spot') return 'long';
  if (o.positionSide) return o.positionSide;
  // one-way semantics: a reduce-only order closes the opposite side
  return o.reduceOnly ? (o.side === 'buy' ? 'short' : 'long') : o.side === 'buy' ? 'long' : 'short';
}

const positionKey = (symbol: string, side: PositionSide) => `${symbol}|${side}`;

function splitPositionKey(key: string): [string, PositionSide] {
  const i = key.lastIndexOf('|');
  return [key.slice(0, i), key.slice(i + 1) as PositionSide];
}

function toExchangeTrade(t: PaperTradeRow): ExchangeTrade {
  return {
    id: t.id,
    orderId: t.orderId ?? '',
    clientOrderId: t.clientOrderId,
    symbol: t.symbol,
    side: t.side,
    price: unitsToNumber(t.price),
    amount: unitsToNumber(t.amount),
    cost: unitsToNumber(t.cost),
    fee: unitsToNumber(t.fee),
    feeCurrency: t.feeCurrency,
    takerOrMaker: t.liquidity === 'maker' ? 'maker' : 'taker',
    timestamp: t.time,
  };
}
