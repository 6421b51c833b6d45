import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { In, IsNull, LessThan, Not } from 'typeorm';
import { FillEntity } from './fill.entity';
import { OrderEntity } from './order.entity';
import { UNRESOLVED_STATUSES, type OrderStatus } from './order-status';

export interface OrderQuery {
  status?: OrderStatus;
  symbol?: string;
  accountId?: string;
  botId?: string;
  limit: number;
  offset: number;
}

export type NewOrder = Omit<
  OrderEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'closedAt'
  | 'filled'
  | 'averagePrice'
  | 'fee'
  | 'rejectReason'
  | 'sendAttempts'
  | 'exchangeOrderId'
  | 'status'
  | 'actionSeq'
  | 'cancelSeq'
  | 'cancelReason'
  | 'botClosedApplied'
>;
export type NewFill = Omit<FillEntity, 'id' | 'createdAt' | 'seq' | 'botApplied'>;

/** What a bot asks of its exchange, in intent order: send a PENDING order, or cancel one. */
export interface BotAction {
  readonly kind: 'place' | 'cancel';
  readonly seq: bigint;
  readonly order: OrderEntity;
}

/** The only place that touches orders and fills. User-facing reads take the user id. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get orders() {
    return this.txHost.tx.getRepository(OrderEntity);
  }

  private get fills() {
    return this.txHost.tx.getRepository(FillEntity);
  }

  /** Insert a PENDING order; when its client_order_id exists already, return the existing row (idempotent). */
  async insertPending(o: NewOrder): Promise<{ order: OrderEntity; created: boolean }> {
    const res = await this.orders
      .createQueryBuilder()
      .insert()
      .values({ ...o, status: 'PENDING', filled: '0', fee: '0', sendAttempts: 0 })
      .orIgnore()
      .returning('*')
      .execute();
    if (res.raw.length > 0) {
      const created = await this.orders.findOneByOrFail({ clientOrderId: o.clientOrderId });
      return { order: created, created: true };
    }
    return { order: await this.orders.findOneByOrFail({ clientOrderId: o.clientOrderId }), created: false };
  }

  lockById(id: string): Promise<OrderEntity | null> {
    return this.orders.createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id }).getOne();
  }

  async update(id: string, fields: Partial<OrderEntity>): Promise<void> {
    await this.orders.update({ id }, { ...fields, updatedAt: new Date() });
  }

  /** Count a send attempt and restart the reconciler's grace period from now (it measures from updated_at). */
  async incrementAttempts(id: string): Promise<void> {
    await this.orders
      .createQueryBuilder()
      .update()
      .set({ sendAttempts: () => 'send_attempts + 1', updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
  }

  findById(id: string): Promise<OrderEntity | null> {
    return this.orders.findOneBy({ id });
  }

  findForUser(userId: string, id: string): Promise<OrderEntity | null> {
    return this.orders.findOneBy({ id, userId });
  }

  listForUser(userId: string, q: OrderQuery): Promise<[OrderEntity[], number]> {
    return this.orders.findAndCount({
      where: {
        userId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.symbol ? { symbol: q.symbol } : {}),
        ...(q.accountId ? { accountId: q.accountId } : {}),
        ...(q.botId ? { botId: q.botId } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: q.limit,
      skip: q.offset,
    });
  }

  /** Unresolved orders for the reconciler: OPEN/PARTIALLY_FILLED always, PENDING once older than the grace. */
  async findUnresolved(pendingOlderThan: Date, limit: number): Promise<OrderEntity[]> {
    const open = await this.orders.find({ where: { status: In(['OPEN', 'PARTIALLY_FILLED']) }, order: { updatedAt: 'ASC' }, take: limit });
    const pending = await this.orders.find({ where: { status: 'PENDING', updatedAt: LessThan(pendingOlderThan) }, order: { updatedAt: 'ASC' }, take: limit });
    return [...pending, ...open];
  }

  countUnresolvedForAccount(userId: string, accountId: string): Promise<number> {
    return this.orders.count({ where: { userId, accountId, status: In([...UNRESOLVED_STATUSES]) } });
  }

  findUnresolvedForUser(userId: string, accountId: string, symbol: string): Promise<OrderEntity[]> {
    return this.orders.find({ where: { userId, accountId, symbol, status: In([...UNRESOLVED_STATUSES]) }, order: { createdAt: 'ASC' } });
  }

  /** Ask for a cancel: it takes its place in the bot's sequence of actions (idempotent). */
  async requestCancel(id: string, reason: string): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE "orders" SET "cancel_seq" = nextval('order_action_seq'), "cancel_reason" = $2, "updated_at" = now() WHERE "id" = $1 AND "cancel_seq" IS NULL`,
      [id, reason.slice(0, 200)],
    );
  }

  findByIntentKey(botId: string, intentKey: string): Promise<OrderEntity | null> {
    return this.orders.findOneBy({ botId, intentKey });
  }

  findByClientOrderId(accountId: string, clientOrderId: string): Promise<OrderEntity | null> {
    return this.orders.findOneBy({ accountId, clientOrderId });
  }

  /** The bot's outstanding exchange actions, in sequence: unsent/unresolved PENDING orders and requested cancels. */
  async botActions(botId: string): Promise<BotAction[]> {
    const rows = await this.orders.find({
      where: [
        { botId, status: 'PENDING' },
        { botId, status: In(['OPEN', 'PARTIALLY_FILLED']), cancelSeq: Not(IsNull()) },
      ],
    });
    const out: BotAction[] = [];
    for (const o of rows) {
      if (o.status === 'PENDING') out.push({ kind: 'place', seq: BigInt(o.actionSeq), order: o });
      if (o.cancelSeq !== null) out.push({ kind: 'cancel', seq: BigInt(o.cancelSeq), order: o });
    }
    return out.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  }

  /** Fills of the bot's orders not yet handed to its strategy, in insertion order. */
  unappliedBotFills(botId: string): Promise<FillEntity[]> {
    return this.fills.find({ where: { botId, botApplied: false }, order: { seq: 'ASC' } });
  }

  /** The bot's orders that ended without filling whole (canceled / rejected / expired), not yet handed to it. */
  unappliedBotClosures(botId: string): Promise<OrderEntity[]> {
    return this.orders.find({ where: { botId, botClosedApplied: false, status: In(['CANCELED', 'REJECTED', 'EXPIRED']) }, order: { closedAt: 'ASC', actionSeq: 'ASC' } });
  }

  findByIds(ids: readonly string[]): Promise<OrderEntity[]> {
    return ids.length ? this.orders.find({ where: { id: In([...ids]) } }) : Promise.resolve([]);
  }

  async markBotApplied(fillIds: readonly string[], closedOrderIds: readonly string[]): Promise<void> {
    if (fillIds.length) await this.fills.update({ id: In([...fillIds]) }, { botApplied: true });
    if (closedOrderIds.length) await this.orders.update({ id: In([...closedOrderIds]) }, { botClosedApplied: true });
  }

  /** Every order of a bot (newest first), for its status page. */
  listOfBot(botId: string, statuses?: readonly string[], limit = 500): Promise<OrderEntity[]> {
    return this.orders.find({ where: { botId, ...(statuses ? { status: In([...statuses]) as never } : {}) }, order: { actionSeq: 'DESC' }, take: limit });
  }

  /** Every fill of a bot's orders, in execution order (trades, statistics). */
  fillsOfBot(botId: string): Promise<FillEntity[]> {
    return this.fills.find({ where: { botId }, order: { executedAt: 'ASC', seq: 'ASC' } });
  }

  /** Insert fills; returns only the ones that were new (a fill already recorded is skipped, never doubled). */
  async insertFills(rows: NewFill[]): Promise<FillEntity[]> {
    if (rows.length === 0) return [];
    const res = await this.fills.createQueryBuilder().insert().values(rows).orIgnore().returning('*').execute();
    const ids = (res.raw as Array<{ id: string }>).map((r) => r.id);
    if (ids.length === 0) return [];
    const inserted = await this.fills.find({ where: { id: In(ids) } });
    return inserted.sort(byExecution);
  }

  /**
   * Whether the position of `fill` (account, symbol, position side, bot) already holds a fill executed after it
   * (ties broken by exchange trade id, numerically), other than `exclude`: then `fill` arrives out of order.
   */
  async hasLaterFill(fill: FillEntity, exclude: readonly string[]): Promise<boolean> {
    const rows = (await this.fills.query(
      `SELECT 1 FROM fills
        WHERE account_id = $1 AND symbol = $2 AND position_side = $3 AND bot_id IS NOT DISTINCT FROM $4 AND NOT (id = ANY($5::uuid[]))
          AND (executed_at > $6 OR (executed_at = $6 AND (length(exchange_trade_id), exchange_trade_id) > (length($7::varchar), $7::varchar)))
        LIMIT 1`,
      [fill.accountId, fill.symbol, fill.positionSide, fill.botId, exclude, fill.executedAt, fill.exchangeTradeId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Every fill of one position (account, symbol, position side, bot) in execution order. */
  fillsOfPosition(fill: Pick<FillEntity, 'accountId' | 'symbol' | 'positionSide' | 'botId'>): Promise<FillEntity[]> {
    return this.fills
      .createQueryBuilder('f')
      .where('f.account_id = :accountId AND f.symbol = :symbol AND f.position_side = :positionSide', fill)
      .andWhere(fill.botId === null ? 'f.bot_id IS NULL' : 'f.bot_id = :botId', { botId: fill.botId })
      .orderBy('f.executed_at', 'ASC')
      .addOrderBy('length(f.exchange_trade_id)', 'ASC')
      .addOrderBy('f.exchange_trade_id', 'ASC')
      .getMany();
  }

  fillsOfOrder(orderId: string): Promise<FillEntity[]> {
    return this.fills.find({ where: { orderId }, order: { executedAt: 'ASC', exchangeTradeId: 'ASC' } });
  }

  fillsForAccount(accountId: string): Promise<FillEntity[]> {
    return this.fills.find({ where: { accountId }, order: { executedAt: 'ASC', exchangeTradeId: 'ASC' } });
  }
}

/** Execution order: time, then exchange trade id (numeric ids compared as numbers). */
export function byExecution(a: Pick<FillEntity, 'executedAt' | 'exchangeTradeId'>, b: Pick<FillEntity, 'executedAt' | 'exchangeTradeId'>): number {
  const dt = a.executedAt.getTime() - b.executedAt.getTime();
  if (dt !== 0) return dt;
  const x = a.exchangeTradeId;
  const y = b.exchangeTradeId;
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
