import { Injectable } from '@nestjs/common';
import { findPage, queryPrepared, TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
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

/** An order as GET /api/orders lists it (OrderResponseDto without fills), in the DTO's property order. */
export interface OrderListItem {
  id: string;
  accountId: string;
  botId: string | null;
  clientOrderId: string;
  exchangeOrderId: string | null;
  exchange: string;
  symbol: string;
  type: string;
  side: string;
  positionSide: string;
  amount: string;
  price: string | null;
  triggerPrice: string | null;
  reduceOnly: boolean;
  tag: string;
  status: string;
  filled: string;
  averagePrice: string | null;
  fee: string;
  rejectReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Date#toISOString's format, computed by PostgreSQL (to_char's MS truncates the microseconds, as Date does). */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

const ORDER_LIST_COLUMNS = [
  'id',
  'account_id AS "accountId"',
  'bot_id AS "botId"',
  'client_order_id AS "clientOrderId"',
  'exchange_order_id AS "exchangeOrderId"',
  'exchange',
  'symbol',
  'type',
  'side',
  'position_side AS "positionSide"',
  'amount',
  'price',
  'trigger_price AS "triggerPrice"',
  'reduce_only AS "reduceOnly"',
  'tag',
  'status',
  'filled',
  'average_price AS "averagePrice"',
  'fee',
  'reject_reason AS "rejectReason"',
  `to_char(created_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS "createdAt"`,
  `to_char(updated_at AT TIME ZONE 'UTC', ${ISO_UTC}) AS "updatedAt"`,
].join(', ');

/** A row of ORDER_LIST_COLUMNS (rowMode 'array'), then the total. */
type OrderListRow = [
  string, string, string | null, string, string | null, string, string, string, string, string, string, string | null, string | null, boolean, string, string,
  string, string | null, string, string | null, string, string, string,
];

/** The item of a row, in the DTO's property order (the order ORDER_LIST_COLUMNS selects them in). */
function orderListItem(r: OrderListRow): OrderListItem {
  return {
    id: r[0],
    accountId: r[1],
    botId: r[2],
    clientOrderId: r[3],
    exchangeOrderId: r[4],
    exchange: r[5],
    symbol: r[6],
    type: r[7],
    side: r[8],
    positionSide: r[9],
    amount: r[10],
    price: r[11],
    triggerPrice: r[12],
    reduceOnly: r[13],
    tag: r[14],
    status: r[15],
    filled: r[16],
    averagePrice: r[17],
    fee: r[18],
    rejectReason: r[19],
    createdAt: r[20],
    updatedAt: r[21],
  };
}

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

  /** A page of the user's orders, newest first, and their total: one query (see findPage). */
  listForUser(userId: string, q: OrderQuery): Promise<[OrderEntity[], number]> {
    return findPage(this.txHost.tx, OrderEntity, {
      where: { userId, status: q.status, symbol: q.symbol, accountId: q.accountId, botId: q.botId },
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: q.limit,
      offset: q.offset,
    });
  }

  /**
   * The same page as listForUser in the shape of the API (OrderResponseDto without fills): one query whose rows are
   * the response items. No entity is built and no timestamp goes through a Date: PostgreSQL writes them in the
   * format of Date#toISOString (UTC, milliseconds), numerics stay the text PostgreSQL sends.
   */
  async listViewForUser(userId: string, q: OrderQuery): Promise<[OrderListItem[], number]> {
    const params: unknown[] = [userId];
    let where = 'user_id = $1';
    for (const [column, value] of [
      ['status', q.status],
      ['symbol', q.symbol],
      ['account_id', q.accountId],
      ['bot_id', q.botId],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where += ` AND ${column} = $${params.length}`;
    }
    // a prepared statement per filter combination (at most 16): PostgreSQL plans it once per connection. Rows come as
    // arrays and become items of one literal shape: no object cloned per row (pg's default) and no property deleted
    // (the total), which left rows that JSON.stringify serialized ~1.7x slower
    const rows = await queryPrepared<OrderListRow>(
      this.txHost.tx,
      `SELECT ${ORDER_LIST_COLUMNS}, count(*) OVER () AS "__total" FROM orders WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
      'array',
    );
    if (rows.length === 0) {
      if (q.offset === 0) return [[], 0];
      const [{ n }] = (await this.txHost.tx.query(`SELECT count(*) AS n FROM orders WHERE ${where}`, params)) as [{ n: string }];
      return [[], Number(n)];
    }
    const items: OrderListItem[] = new Array<OrderListItem>(rows.length);
    for (let i = 0; i < rows.length; i++) items[i] = orderListItem(rows[i]);
    return [items, Number(rows[0][22])];
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

  // ------------------------------------------------------------ bots, many at once (one evaluation batch)

  /** Fills of these bots' orders not yet handed to their strategies, in sequence. */
  unappliedFillsOfBots(botIds: readonly string[]): Promise<FillEntity[]> {
    return botIds.length ? this.fills.find({ where: { botId: In([...botIds]), botApplied: false }, order: { seq: 'ASC' } }) : Promise.resolve([]);
  }

  /** These bots' orders that ended without filling whole (canceled / rejected / expired), not yet handed to them. */
  unappliedClosuresOfBots(botIds: readonly string[]): Promise<OrderEntity[]> {
    if (!botIds.length) return Promise.resolve([]);
    return this.orders.find({
      where: { botId: In([...botIds]), botClosedApplied: false, status: In(['CANCELED', 'REJECTED', 'EXPIRED']) },
      order: { closedAt: 'ASC', actionSeq: 'ASC' },
    });
  }

  /** Every fill of these orders, in execution order. */
  fillsOfOrders(orderIds: readonly string[]): Promise<FillEntity[]> {
    if (!orderIds.length) return Promise.resolve([]);
    return this.fills.find({ where: { orderId: In([...orderIds]) }, order: { executedAt: 'ASC', exchangeTradeId: 'ASC' } });
  }

  /** The intent keys of these bots' orders that can still be canceled (not terminal). */
  async cancelableOfBots(botIds: readonly string[]): Promise<Array<{ botId: string; intentKey: string }>> {
    if (!botIds.length) return [];
    const rows = (await this.txHost.tx.query(`SELECT "bot_id", "intent_key" FROM "orders" WHERE "bot_id" = ANY($1::varchar[]) AND "status" = ANY($2::varchar[])`, [
      botIds,
      [...UNRESOLVED_STATUSES],
    ])) as Array<{ bot_id: string; intent_key: string }>;
    return rows.map((r) => ({ botId: r.bot_id, intentKey: r.intent_key }));
  }

  /** `n` fresh places in the sequence of exchange actions, ascending. */
  async nextActionSeqs(n: number): Promise<string[]> {
    if (n <= 0) return [];
    const rows = (await this.txHost.tx.query(`SELECT nextval('order_action_seq')::text AS v FROM generate_series(1, $1::int)`, [n])) as Array<{ v: string }>;
    return rows.map((r) => r.v).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  }

  /** Bots' intents as PENDING orders, each at its place in the action sequence; an existing client_order_id is kept. */
  async insertBotOrders(rows: ReadonlyArray<NewOrder & { readonly actionSeq: string }>): Promise<void> {
    if (!rows.length) return;
    const col = <T>(f: (r: NewOrder & { actionSeq: string }) => T): T[] => rows.map(f);
    await this.txHost.tx.query(
      `INSERT INTO "orders" ("user_id", "account_id", "bot_id", "intent_key", "client_order_id", "exchange", "symbol", "type", "side",
                             "position_side", "amount", "price", "trigger_price", "reduce_only", "tag", "action_seq", "status")
       SELECT u, a, b, k, c, e, s, t, sd, ps, am, pr, tp, ro, tg, seq, 'PENDING'
         FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[], $9::varchar[],
                     $10::varchar[], $11::numeric[], $12::numeric[], $13::numeric[], $14::boolean[], $15::varchar[], $16::bigint[])
              AS x(u, a, b, k, c, e, s, t, sd, ps, am, pr, tp, ro, tg, seq)
       ON CONFLICT ("client_order_id") DO NOTHING`,
      [
        col((r) => r.userId),
        col((r) => r.accountId),
        col((r) => r.botId),
        col((r) => r.intentKey),
        col((r) => r.clientOrderId),
        col((r) => r.exchange),
        col((r) => r.symbol),
        col((r) => r.type),
        col((r) => r.side),
        col((r) => r.positionSide),
        col((r) => r.amount),
        col((r) => r.price),
        col((r) => r.triggerPrice),
        col((r) => r.reduceOnly),
        col((r) => r.tag),
        col((r) => r.actionSeq),
      ],
    );
  }

  /** Bots ask to cancel orders (by intent key), each at its place in the action sequence; a second request is a no-op. */
  async requestBotCancels(rows: ReadonlyArray<{ readonly botId: string; readonly intentKey: string; readonly cancelSeq: string; readonly reason: string }>): Promise<void> {
    if (!rows.length) return;
    await this.txHost.tx.query(
      `UPDATE "orders" o SET "cancel_seq" = x.seq, "cancel_reason" = x.reason, "updated_at" = now()
         FROM unnest($1::varchar[], $2::text[], $3::bigint[], $4::text[]) AS x(b, k, seq, reason)
        WHERE o."bot_id" = x.b AND o."intent_key" = x.k AND o."cancel_seq" IS NULL AND o."status" = ANY($5::varchar[])`,
      [rows.map((r) => r.botId), rows.map((r) => r.intentKey), rows.map((r) => r.cancelSeq), rows.map((r) => r.reason.slice(0, 200)), [...UNRESOLVED_STATUSES]],
    );
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
