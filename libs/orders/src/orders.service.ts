import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@tb/config';
import { BadRequestError, ConflictError, DomainError, ErrorCode, NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import { EventOutboxRepository } from '@tb/events';
import { PositionsService, type AppliedFill } from '@tb/positions';
import { ExchangeAccountsService } from '@tb/accounts';
import {
  ExchangeError,
  InsufficientFundsError,
  InvalidOrderError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  RateLimitedError,
  clientOrderIdFromKey,
  type CreateOrderRequest,
  type ExchangeMarket,
  type ExchangeOrder,
  type ExchangePort,
  type ExchangeTrade,
} from '@tb/exchange';
import { liquidationKey, type OrderSide, type OrderType, type PositionSide } from '@tb/strategies';
import { OrderEntity } from './order.entity';
import type { FillEntity } from './fill.entity';
import { OrdersRepository, type NewFill, type NewOrder, type OrderQuery, type OrderListItem } from './orders.repository';
import { assertTransition, canTransition, isTerminal, statusFromExchange, type OrderStatus } from './order-status';

export interface PlaceOrderCommand {
  readonly userId: string;
  readonly accountId: string;
  readonly botId?: string | null;
  /** Deterministic intent key (strategy) or a client idempotency key (manual): the clientOrderId derives from it. */
  readonly intentKey: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly positionSide?: PositionSide;
  readonly amount: number;
  readonly price?: number;
  readonly triggerPrice?: number;
  readonly reduceOnly?: boolean;
  readonly tag?: string;
  /** last price, so market orders can be checked against the minimum notional before sending */
  readonly referencePrice?: number;
}

/** A bot's intent to write as a PENDING order inside the bot's evaluation transaction. */
/** A checked exchange request and the PENDING order row written for it. */
interface PreparedPending {
  readonly prepared: CreateOrderRequest;
  readonly row: NewOrder;
}

export interface BotOrderCommand {
  readonly userId: string;
  readonly accountId: string;
  readonly botId: string;
  readonly intentKey: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: number;
  readonly price?: number;
  readonly triggerPrice?: number;
  readonly reduceOnly: boolean;
  readonly tag: string;
}

/** What happened to a bot's orders that its strategy has not seen yet (fills first, then closings). */
/** A bot's exchange action, written in its evaluation's transaction (`writeBotActions`). */
export type BotActionToWrite =
  | { readonly kind: 'place'; readonly order: NewOrder }
  | { readonly kind: 'cancel'; readonly botId: string; readonly intentKey: string; readonly reason: string };

export interface BotOrderEvents {
  readonly fills: ReadonlyArray<{ readonly fill: FillEntity; readonly order: OrderEntity; readonly remaining: number }>;
  readonly closed: readonly OrderEntity[];
}

/** What the exchange said about an order, with the executions needed to record its fills. */
interface ExchangeView {
  readonly order: ExchangeOrder | null;
  readonly trades: readonly ExchangeTrade[];
}

const toAppliedFill = (f: FillEntity): AppliedFill => ({
  userId: f.userId,
  accountId: f.accountId,
  symbol: f.symbol,
  botId: f.botId,
  side: f.side,
  positionSide: f.positionSide,
  amount: f.amount,
  price: f.price,
  feeQuote: f.feeQuote,
  executedAt: f.executedAt,
});

const fmt = (n: number | null | undefined): string | null => (n === null || n === undefined || !Number.isFinite(n) ? null : String(n));

/**
 * The order management system (docs/architecture.md §4):
 * 1. the order is written PENDING (unique clientOrderId derived from the intent key) and committed;
 * 2. outside any transaction the adapter sends it with that clientOrderId;
 * 3. the result (status, exchange id, fills) is recorded in a new transaction; fills are unique per exchange
 *    trade id and move positions exactly once.
 * A crash at any point leaves a state the reconciler repairs (see OrdersReconciler).
 */
@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    private readonly orders: OrdersRepository,
    private readonly positions: PositionsService,
    private readonly outbox: EventOutboxRepository,
    private readonly accounts: ExchangeAccountsService,
    private readonly config: AppConfig,
  ) {}

  /** An account with unresolved orders cannot be removed (409 ACCOUNT_IN_USE). */
  onModuleInit(): void {
    this.accounts.registerRemovalCheck('unresolved orders', (userId, accountId) => this.orders.countUnresolvedForAccount(userId, accountId));
  }

  async place(cmd: PlaceOrderCommand): Promise<OrderEntity> {
    const port = await this.accounts.exchangeFor(cmd.userId, cmd.accountId); // 404 for another user's account
    await port.loadMarkets();
    const market = this.marketOf(port, cmd.symbol);
    let pending: PreparedPending;
    try {
      pending = this.preparePending(port, cmd);
    } catch (e) {
      throw this.toDomainError(e);
    }
    const { prepared } = pending;
    const { order, created } = await this.orders.insertPending(pending.row);
    if (!created) {
      if (order.userId !== cmd.userId) throw new ConflictError('order key already used');
      // Idempotent replay. A PENDING order that was never sent is sent now. One that was sent (maybe received,
      // maybe not) is left to the reconciler, which looks it up by clientOrderId after the grace period before
      // it would ever resend: some exchanges accept a reused clientOrderId once the first order is closed.
      if (order.status !== 'PENDING' || order.sendAttempts > 0) return order;
    }
    const sent = await this.send(order, port, market, prepared);
    const why = this.lastSendError.get(sent.id);
    this.lastSendError.delete(sent.id);
    if (sent.status === 'PENDING') {
      // a retryable failure (exchange unreachable, rate limited, paper feed without a price): say so instead of a
      // silent PENDING; the order is kept and the reconciler retries it, within OMS_MAX_SEND_ATTEMPTS in all
      const max = this.config.oms.maxSendAttempts;
      const limited = why instanceof RateLimitedError;
      const retryAfterS = limited && why.retryAfterMs ? Math.ceil(why.retryAfterMs / 1000) : undefined;
      throw new DomainError(
        limited ? ErrorCode.ExchangeRateLimited : ErrorCode.ExchangeUnavailable,
        `The exchange did not take order ${sent.id} (${why ? `${why.code}: ${why.message}` : 'unavailable'}); it stays PENDING and is retried ` +
          `(attempt ${sent.sendAttempts} of ${max}), then rejected`,
        { orderId: sent.id, clientOrderId: sent.clientOrderId, status: sent.status, sendAttempts: sent.sendAttempts, maxSendAttempts: max, ...(retryAfterS ? { retryAfterS } : {}) },
      );
    }
    return sent;
  }

  // ------------------------------------------------------------------ bots

  /**
   * No network, no database: a bot's intent as a PENDING order row (the port's markets must be loaded), or the reason
   * the exchange could never accept it (precision, minimums), so the strategy is told at once.
   */
  prepareBotOrder(port: ExchangePort, cmd: BotOrderCommand): { readonly order: NewOrder; readonly rejected: null } | { readonly order: null; readonly rejected: string } {
    try {
      return { order: this.preparePending(port, cmd).row, rejected: null };
    } catch (e) {
      if (e instanceof InvalidOrderError) return { order: null, rejected: e.reason };
      throw e;
    }
  }

  /** No network, no database: the port's checked request and the PENDING row for it (place() and bots alike). */
  private preparePending(port: ExchangePort, cmd: PlaceOrderCommand): PreparedPending {
    const clientOrderId = clientOrderIdFromKey(cmd.intentKey);
    const prepared = port.prepareOrder({
      symbol: cmd.symbol,
      type: cmd.type,
      side: cmd.side,
      amount: cmd.amount,
      price: cmd.price,
      triggerPrice: cmd.triggerPrice,
      reduceOnly: cmd.reduceOnly ?? false,
      positionSide: cmd.positionSide,
      clientOrderId,
      referencePrice: cmd.referencePrice,
    });
    return {
      prepared,
      row: {
        userId: cmd.userId,
        accountId: cmd.accountId,
        botId: cmd.botId ?? null,
        intentKey: cmd.intentKey,
        clientOrderId,
        exchange: port.exchangeId,
        symbol: cmd.symbol,
        type: cmd.type,
        side: cmd.side,
        positionSide: cmd.positionSide ?? (cmd.side === 'buy' ? 'long' : 'short'),
        amount: String(prepared.amount),
        price: fmt(prepared.price),
        triggerPrice: fmt(prepared.triggerPrice),
        reduceOnly: prepared.reduceOnly ?? false,
        tag: cmd.tag ?? 'manual',
      },
    };
  }

  /**
   * Inside the caller's (bot evaluation) transaction: bots' places (PENDING orders) and cancel requests, each at its
   * place in one action sequence in the order given, so "cancel the old stop, place the new one" reaches the exchange
   * in that order. Sent after commit by `dispatchBot`.
   */
  async writeBotActions(actions: readonly BotActionToWrite[]): Promise<void> {
    const seqs = await this.orders.nextActionSeqs(actions.length);
    const places: Array<NewOrder & { actionSeq: string }> = [];
    const cancels: Array<{ botId: string; intentKey: string; cancelSeq: string; reason: string }> = [];
    actions.forEach((a, i) => {
      if (a.kind === 'place') places.push({ ...a.order, actionSeq: seqs[i] });
      else cancels.push({ botId: a.botId, intentKey: a.intentKey, cancelSeq: seqs[i], reason: a.reason });
    });
    await this.orders.insertBotOrders(places); // first: a cancel may refer to an order placed in the same evaluation
    await this.orders.requestBotCancels(cancels);
  }

  /** The intent keys of these bots' orders that a cancel can still reach, per bot. */
  async cancelableOfBots(botIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>(botIds.map((id) => [id, new Set<string>()]));
    for (const r of await this.orders.cancelableOfBots(botIds)) out.get(r.botId)?.add(r.intentKey);
    return out;
  }

  /** What these bots' strategies have not seen yet, per bot: fills in sequence (with what remains of the order), then closings. */
  async botEventsOf(botIds: readonly string[]): Promise<Map<string, BotOrderEvents>> {
    const fills = await this.orders.unappliedFillsOfBots(botIds);
    const closed = await this.orders.unappliedClosuresOfBots(botIds);
    const orderIds = [...new Set(fills.map((f) => f.orderId))];
    const orders = new Map((await this.orders.findByIds(orderIds)).map((o) => [o.id, o]));
    const fillsByOrder = new Map<string, FillEntity[]>();
    for (const f of await this.orders.fillsOfOrders(orderIds)) {
      const list = fillsByOrder.get(f.orderId);
      if (list) list.push(f);
      else fillsByOrder.set(f.orderId, [f]);
    }
    const out = new Map<string, { fills: Array<BotOrderEvents['fills'][number]>; closed: OrderEntity[] }>(botIds.map((id) => [id, { fills: [], closed: [] }]));
    for (const f of fills) {
      const o = orders.get(f.orderId)!;
      const list = fillsByOrder.get(o.id) ?? [];
      // remaining after each fill: the order's amount minus what its fills so far executed; 0 once the order is done
      const upTo = list.filter((x) => BigInt(x.seq) <= BigInt(f.seq)).reduce((sum, x) => sum + Number(x.amount), 0);
      const isLast = BigInt(list[list.length - 1]?.seq ?? '0') === BigInt(f.seq);
      const remaining = isLast && (o.status === 'FILLED' || isTerminal(o.status)) ? 0 : Math.max(0, Number(o.amount) - upTo);
      out.get(f.botId!)?.fills.push({ fill: f, order: o, remaining });
    }
    for (const o of closed) out.get(o.botId!)?.closed.push(o);
    return out;
  }

  /** Inside the bot's evaluation transaction: these events reached its strategy. */
  markBotEventsApplied(fillIds: readonly string[], closedOrderIds: readonly string[]): Promise<void> {
    return this.orders.markBotApplied(fillIds, closedOrderIds);
  }

  /**
   * Carry out a bot's outstanding exchange actions in intent order, outside any transaction: send PENDING orders,
   * cancel what it asked to cancel. Stops at the first action whose outcome is unknown (exchange unreachable):
   * later actions must not overtake it. Returns the number of actions carried out.
   */
  async dispatchBot(botId: string): Promise<number> {
    const actions = await this.orders.botActions(botId);
    if (actions.length === 0) return 0;
    const { port } = await this.accounts.exchangeForAccountId(actions[0].order.accountId);
    await port.loadMarkets();
    let done = 0;
    for (const a of actions) {
      const market = this.marketOf(port, a.order.symbol);
      const current = (await this.orders.findById(a.order.id))!;
      if (a.kind === 'place') {
        if (current.status !== 'PENDING') {
          done++;
          continue;
        }
        let order = current;
        if (order.sendAttempts > 0) {
          // an earlier send may have reached the exchange: look it up before sending again
          order = await this.sync(order, port, market);
          if (order.status !== 'PENDING') {
            done++;
            continue;
          }
          if (port.exchangeId !== 'paper' && Date.now() - order.updatedAt.getTime() < this.config.oms.pendingGraceMs) return done;
        }
        const sent = await this.send(order, port, market);
        if (sent.status === 'PENDING') return done;
      } else {
        if (isTerminal(current.status)) {
          done++;
          continue;
        }
        try {
          const ex = await port.cancelOrder({ symbol: current.symbol, clientOrderId: current.clientOrderId });
          await this.record(current.id, { order: ex, trades: await this.tradesFor(port, current, ex) }, market);
        } catch (e) {
          if (e instanceof OrderNotFoundError) {
            const synced = await this.sync(current, port, market);
            if (!isTerminal(synced.status)) return done;
          } else if (e instanceof ExchangeError && e.retryable) return done;
          else throw e;
        }
      }
      done++;
    }
    return done;
  }

  /**
   * Record what the exchange says about these orders of an account, in the given order (replay steps). With `owner`,
   * an order the exchange placed on its own on that owner's symbol (a liquidation) is adopted for the bot: recorded
   * FILLED with its fills under the intent key the backtest engine gives a liquidation, so the bot's strategy hears
   * of it exactly as in its backtest.
   */
  async syncByClientOrderIds(accountId: string, symbol: string, clientOrderIds: readonly string[], owner?: { readonly userId: string; readonly botId: string }): Promise<void> {
    if (clientOrderIds.length === 0) return;
    const { port } = await this.accounts.exchangeForAccountId(accountId);
    await port.loadMarkets();
    const market = this.marketOf(port, symbol);
    for (const id of clientOrderIds) {
      const order = await this.orders.findByClientOrderId(accountId, id);
      if (order) {
        await this.sync(order, port, market);
        continue;
      }
      if (!owner) continue;
      const ex = await port.fetchOrderByClientId(symbol, id);
      if (!ex?.liquidation) continue;
      const trades = await this.tradesFor(port, { symbol, clientOrderId: ex.clientOrderId, createdAt: new Date(ex.timestamp ?? 0) }, ex); // before the transaction
      await this.adoptLiquidation(accountId, port.exchangeId, owner, ex, market, trades);
    }
  }

  @Transactional()
  private async adoptLiquidation(
    accountId: string,
    exchange: string,
    owner: { readonly userId: string; readonly botId: string },
    ex: ExchangeOrder,
    market: ExchangeMarket,
    trades: ExchangeTrade[],
  ): Promise<void> {
    const positionSide: PositionSide = ex.side === 'sell' ? 'long' : 'short'; // a liquidation only closes
    const { order } = await this.orders.insertPending({
      userId: owner.userId,
      accountId,
      botId: owner.botId,
      intentKey: liquidationKey(positionSide, ex.timestamp ?? trades[0]?.timestamp ?? 0),
      clientOrderId: ex.clientOrderId,
      exchange,
      symbol: ex.symbol,
      type: 'market',
      side: ex.side,
      positionSide,
      amount: String(ex.amount),
      price: null,
      triggerPrice: null,
      reduceOnly: true,
      tag: 'liquidation',
    });
    // PENDING only inside this transaction: nobody ever sends it
    await this.record(order.id, { order: ex, trades }, market);
  }

  /** Orders of a bot, newest first (status pages); `open` = only unresolved ones. */
  ordersOfBot(botId: string, open = false): Promise<OrderEntity[]> {
    return this.orders.listOfBot(botId, open ? ['PENDING', 'OPEN', 'PARTIALLY_FILLED'] : undefined);
  }

  /** These orders (e.g. of a bot's fills), whatever their age. */
  ordersByIds(ids: readonly string[]): Promise<OrderEntity[]> {
    return this.orders.findByIds(ids);
  }

  /** Every fill of a bot's orders, in execution order. */
  fillsOfBot(botId: string): Promise<FillEntity[]> {
    return this.orders.fillsOfBot(botId);
  }

  /** Send a PENDING order (first send, or the reconciler's resend). Never called inside a transaction. */
  async send(order: OrderEntity, port: ExchangePort, market: ExchangeMarket, req?: CreateOrderRequest): Promise<OrderEntity> {
    await this.orders.incrementAttempts(order.id);
    const request: CreateOrderRequest = req ?? {
      symbol: order.symbol,
      type: order.type,
      side: order.side,
      amount: Number(order.amount),
      price: order.price === null ? undefined : Number(order.price),
      triggerPrice: order.triggerPrice === null ? undefined : Number(order.triggerPrice),
      reduceOnly: order.reduceOnly,
      positionSide: order.positionSide,
      clientOrderId: order.clientOrderId,
    };
    let exchangeOrder: ExchangeOrder;
    try {
      exchangeOrder = await port.createOrder(request);
    } catch (e) {
      if (e instanceof InvalidOrderError && e.reason === 'duplicate_client_order_id') {
        // the exchange has it already (an earlier send got through): adopt it
        return this.sync(order, port, market);
      }
      if (e instanceof ExchangeError && e.retryable) {
        const attempts = order.sendAttempts + 1;
        // an outcome that is unknown (the order may have reached the exchange) is never given up: the reconciler keeps
        // looking it up by clientOrderId; anything else retryable is bounded
        if (!(e instanceof OrderOutcomeUnknownError) && attempts >= this.config.oms.maxSendAttempts) {
          this.logger.warn({ msg: 'order not sent after the last attempt; rejected', orderId: order.id, attempts, code: e.code });
          return this.markRejected(order.id, `not accepted after ${attempts} send attempt(s), the last failed with ${e.code}: ${e.message}`);
        }
        this.logger.warn({ msg: 'order not taken by the exchange; left PENDING for the reconciler', orderId: order.id, clientOrderId: order.clientOrderId, code: e.code, attempts });
        this.rememberSendError(order.id, e);
        return (await this.orders.findById(order.id))!;
      }
      if (e instanceof ExchangeError) {
        this.logger.warn({ msg: 'order rejected', orderId: order.id, code: e.code, reason: e.message });
        return this.markRejected(order.id, `${e.code}: ${e.message}`);
      }
      throw e;
    }
    const trades = await this.tradesFor(port, order, exchangeOrder);
    return this.record(order.id, { order: exchangeOrder, trades }, market);
  }

  /** Ask the exchange about one order and record what it says (used by the reconciler and cancel). */
  async sync(order: OrderEntity, port: ExchangePort, market: ExchangeMarket): Promise<OrderEntity> {
    const ex = await port.fetchOrderByClientId(order.symbol, order.clientOrderId);
    if (!ex) return order;
    const trades = await this.tradesFor(port, order, ex);
    return this.record(order.id, { order: ex, trades }, market);
  }

  async cancel(userId: string, orderId: string): Promise<OrderEntity> {
    const order = await this.orders.findForUser(userId, orderId);
    if (!order) throw new NotFoundError('order', orderId);
    if (isTerminal(order.status)) throw new ConflictError(`order is already ${order.status}`, { status: order.status });
    const port = await this.accounts.exchangeFor(userId, order.accountId);
    await port.loadMarkets();
    const market = this.marketOf(port, order.symbol);
    try {
      const ex = await port.cancelOrder({ symbol: order.symbol, clientOrderId: order.clientOrderId });
      return this.record(order.id, { order: ex, trades: await this.tradesFor(port, order, ex) }, market);
    } catch (e) {
      if (e instanceof OrderNotFoundError && order.status === 'PENDING') {
        const age = Date.now() - order.updatedAt.getTime();
        if (age < this.config.oms.pendingGraceMs) throw new ConflictError('order is still being sent; retry the cancel shortly');
        return this.closeLocally(order.id, 'CANCELED', 'canceled before the exchange received it');
      }
      throw this.toDomainError(e);
    }
  }

  async cancelAll(userId: string, accountId: string, symbol: string): Promise<{ canceled: OrderEntity[]; failed: Array<{ orderId: string; error: string }> }> {
    await this.accounts.exchangeFor(userId, accountId); // 404 for other users' accounts
    const open = await this.orders.findUnresolvedForUser(userId, accountId, symbol);
    const canceled: OrderEntity[] = [];
    const failed: Array<{ orderId: string; error: string }> = [];
    for (const o of open) {
      try {
        canceled.push(await this.cancel(userId, o.id));
      } catch (e) {
        failed.push({ orderId: o.id, error: (e as Error).message });
      }
    }
    return { canceled, failed };
  }

  async get(userId: string, orderId: string): Promise<{ order: OrderEntity; fills: Awaited<ReturnType<OrdersRepository['fillsOfOrder']>> }> {
    const order = await this.orders.findForUser(userId, orderId);
    if (!order) throw new NotFoundError('order', orderId);
    return { order, fills: await this.orders.fillsOfOrder(order.id) };
  }

  /** A page of the user's orders as the API lists them (see OrdersRepository.listViewForUser). */
  list(userId: string, q: OrderQuery): Promise<[OrderListItem[], number]> {
    return this.orders.listViewForUser(userId, q);
  }

  /**
   * Record an exchange view in ONE transaction: status (legal moves only), exchange id, filled/average/fee, new
   * fills (unique per trade id) and the position changes and events they cause.
   */
  @Transactional()
  async record(orderId: string, view: ExchangeView, market: ExchangeMarket): Promise<OrderEntity> {
    const order = await this.orders.lockById(orderId);
    if (!order) throw new NotFoundError('order', orderId);
    const ex = view.order;
    const newFills: NewFill[] = view.trades.map((t) => ({
      orderId: order.id,
      userId: order.userId,
      accountId: order.accountId,
      botId: order.botId,
      exchange: order.exchange,
      exchangeTradeId: t.id,
      symbol: order.symbol,
      side: order.side,
      positionSide: order.positionSide,
      price: String(t.price),
      amount: String(t.amount),
      fee: String(t.fee),
      feeCurrency: t.feeCurrency,
      feeQuote: String(this.feeInQuote(t, market)),
      executedAt: new Date(t.timestamp),
    }));
    const inserted = await this.orders.insertFills(newFills);
    if (inserted.length > 0) {
      // all fills of one order belong to one position; its lock makes "is any later fill recorded?" reliable
      await this.positions.lockKey(PositionsService.keyOf(inserted[0]));
      if (await this.orders.hasLaterFill(inserted[0], inserted.map((f) => f.id))) {
        // recorded after a fill that executed later (resting order found by the reconciler, lost response):
        // recompute the position in execution order instead of folding this fill in last
        await this.positions.rebuild(PositionsService.keyOf(inserted[0]), (await this.orders.fillsOfPosition(inserted[0])).map(toAppliedFill));
      } else {
        for (const f of inserted) await this.positions.applyFill(toAppliedFill(f));
      }
    }
    if (!ex) return order;

    const next: OrderStatus = statusFromExchange(ex.status, ex.filled, ex.amount);
    const fields: Partial<OrderEntity> = {
      exchangeOrderId: ex.id,
      filled: String(Math.max(ex.filled, Number(order.filled))),
      averagePrice: fmt(ex.average) ?? order.averagePrice,
      fee: ex.fee ? String(ex.fee.cost) : order.fee,
    };
    if (next !== order.status) {
      if (!canTransition(order.status, next)) {
        this.logger.warn({ msg: 'ignoring illegal status move reported by the exchange', orderId, from: order.status, to: next });
      } else {
        assertTransition(order.status, next);
        fields.status = next;
        if (isTerminal(next)) fields.closedAt = new Date();
        if (next === 'FILLED') await this.outbox.append('order.filled', order.userId, this.eventPayload(order, fields));
        if (next === 'CANCELED' || next === 'EXPIRED') await this.outbox.append('order.canceled', order.userId, this.eventPayload(order, fields));
      }
    }
    await this.orders.update(order.id, fields);
    return Object.assign(order, fields);
  }

  @Transactional()
  async markRejected(orderId: string, reason: string): Promise<OrderEntity> {
    const order = await this.orders.lockById(orderId);
    if (!order) throw new NotFoundError('order', orderId);
    if (order.status === 'REJECTED') return order;
    assertTransition(order.status, 'REJECTED');
    const fields = { status: 'REJECTED' as const, rejectReason: reason.slice(0, 500), closedAt: new Date() };
    await this.orders.update(order.id, fields);
    return Object.assign(order, fields);
  }

  @Transactional()
  async closeLocally(orderId: string, status: 'CANCELED' | 'EXPIRED', reason: string): Promise<OrderEntity> {
    const order = await this.orders.lockById(orderId);
    if (!order) throw new NotFoundError('order', orderId);
    assertTransition(order.status, status);
    const fields = { status, rejectReason: reason, closedAt: new Date() };
    await this.orders.update(order.id, fields);
    await this.outbox.append('order.canceled', order.userId, this.eventPayload(order, fields));
    return Object.assign(order, fields);
  }

  /** Executions of this order: the ones the exchange returned with it, else its trade history (network). */
  async tradesFor(port: ExchangePort, order: Pick<OrderEntity, 'symbol' | 'clientOrderId' | 'createdAt'>, ex: ExchangeOrder): Promise<ExchangeTrade[]> {
    if (ex.filled <= 0) return [];
    const known = ex.trades.filter((t) => t.id);
    const sum = known.reduce((s, t) => s + t.amount, 0);
    if (known.length > 0 && sum + 1e-12 >= ex.filled) return [...known];
    const since = order.createdAt.getTime() - 60_000;
    const all = await port.fetchMyTrades(order.symbol, since);
    return all.filter((t) => t.orderId === ex.id || (t.clientOrderId !== null && t.clientOrderId === order.clientOrderId));
  }

  marketOf(port: ExchangePort, symbol: string): ExchangeMarket {
    try {
      return port.market(symbol);
    } catch (e) {
      throw new BadRequestError(`unknown symbol ${symbol} on ${port.exchangeId}`, { symbol, cause: (e as Error).name });
    }
  }

  private feeInQuote(t: ExchangeTrade, market: ExchangeMarket): number {
    if (!t.fee) return 0;
    if (t.feeCurrency === null || t.feeCurrency === market.quote) return t.fee;
    if (t.feeCurrency === market.base) return t.fee * t.price;
    return 0; // fee paid in a third asset (e.g. BNB): not converted; the raw fee is kept on the fill
  }

  private eventPayload(order: OrderEntity, fields: Partial<OrderEntity>) {
    return {
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      accountId: order.accountId,
      botId: order.botId,
      symbol: order.symbol,
      side: order.side,
      positionSide: order.positionSide,
      amount: order.amount,
      filled: fields.filled ?? order.filled,
      averagePrice: fields.averagePrice ?? order.averagePrice,
      tag: order.tag,
    };
  }

  /** The last retryable send error per order, for the caller's 503 message (bounded; best effort, not state). */
  private readonly lastSendError = new Map<string, ExchangeError>();
  private rememberSendError(orderId: string, message: ExchangeError): void {
    if (this.lastSendError.size >= 1000) this.lastSendError.delete(this.lastSendError.keys().next().value as string);
    this.lastSendError.set(orderId, message);
  }

  private toDomainError(e: unknown): unknown {
    if (e instanceof InvalidOrderError) {
      const below = e.reason === 'below_min_amount' || e.reason === 'below_min_cost';
      return new DomainError(below ? ErrorCode.OrderBelowMinimum : ErrorCode.InvalidOrder, e.message, { reason: e.reason });
    }
    if (e instanceof InsufficientFundsError) return new DomainError(ErrorCode.InsufficientFunds, e.message);
    if (e instanceof ExchangeError) return new DomainError(e.retryable ? ErrorCode.ExchangeUnavailable : ErrorCode.InvalidOrder, e.message, { code: e.code });
    return e;
  }
}
