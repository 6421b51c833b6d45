import type { EngineSnapshot } from '@tb/matching';
import type { DataSource } from 'typeorm';
import { Propagation, type TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { OrderSide, OrderType, PositionSide } from '@tb/strategies';
import type { ExchangeOrderStatus } from '../exchange.types';
import { formatUnits, parseUnits, type Units } from './paper-decimal';

/** Something that runs SQL: a TypeORM DataSource / EntityManager / QueryRunner. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** How the repository reaches PostgreSQL: plain reads, and units of work in their own transaction. */
export interface PaperSql {
  readonly read: SqlRunner;
  transaction<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T>;
}

export function paperSqlFromDataSource(ds: DataSource): PaperSql {
  return { read: ds, transaction: (fn) => ds.transaction((em) => fn(em)) };
}

/**
 * Through the app's TransactionHost. The paper exchange stands for an exchange: its writes never join the
 * caller's transaction (RequiresNew), exactly as a real exchange's books do not roll back with ours.
 */
export function paperSqlFromTransactionHost(host: TransactionHost<TransactionalAdapterTypeOrm>): PaperSql {
  return {
    read: { query: (sql, params) => host.tx.query(sql, params) },
    transaction: (fn) => host.withTransaction(Propagation.RequiresNew, () => fn(host.tx)),
  };
}

export interface PaperOrderRow {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: Units;
  readonly price: Units | null;
  readonly triggerPrice: Units | null;
  readonly reduceOnly: boolean;
  readonly status: ExchangeOrderStatus;
  readonly filled: Units;
  readonly cost: Units;
  readonly fee: Units;
  readonly feeCurrency: string | null;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewPaperOrder = Omit<PaperOrderRow, 'id' | 'status' | 'filled' | 'cost' | 'fee' | 'feeCurrency' | 'reason' | 'updatedAt'>;

export interface PaperTradeRow {
  readonly id: string;
  readonly orderId: string | null;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly price: Units;
  readonly amount: Units;
  readonly cost: Units;
  readonly fee: Units;
  readonly feeCurrency: string;
  readonly realizedPnl: Units;
  readonly liquidity: 'maker' | 'taker' | 'liquidation';
  readonly time: number;
}

export type NewPaperTrade = Omit<PaperTradeRow, 'id' | 'orderId'>;

export interface PaperPositionRow {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly qty: Units;
  readonly entryPrice: Units;
  readonly margin: Units;
}

export interface PaperProgress {
  /** open time of the last bar consumed (replay) or time of the last tick; -1 = nothing consumed yet */
  readonly time: number;
  readonly price: number | null;
  /** a symbol driven bar by bar by the bot runtime (replay): its engine, exactly as it stands */
  readonly replay?: PaperReplayState | null;
}

/** A replayed symbol: the engine's leverage, bar length and JSON snapshot (see MatchingEngine.snapshot). */
export interface PaperReplayState {
  readonly leverage: number;
  /** perpetuals: the margin mode the engine simulates (default isolated) */
  readonly marginMode?: 'isolated' | 'cross';
  readonly barMs: number;
  /** the bar being walked or last walked (open time); -1 before the first */
  readonly barTime: number;
  /** true once the last bar's walk has completed */
  readonly barDone: boolean;
  readonly engine: EngineSnapshot | null;
  /** the account's orders the last step touched, in engine order (re-synced by the runtime after a crash) */
  readonly touched?: readonly string[];
}

/**
 * Another process committed to the account since this one loaded its books (paper_accounts.version moved): nothing
 * was written; reload and run the operation again (PaperExchange does).
 */
export class PaperBooksStaleError extends Error {
  constructor(accountId: string) {
    super(`paper account ${accountId}: the books changed in another process`);
    this.name = 'PaperBooksStaleError';
  }
}

export interface PaperAccountState {
  /** paper_accounts.version the books were read at (every commit moves it by one) */
  readonly version: number;
  readonly balances: Map<string, Units>;
  readonly positions: PaperPositionRow[];
  readonly openOrders: PaperOrderRow[];
  readonly progress: Map<string, PaperProgress>;
}

export interface PaperOrderChange {
  readonly clientOrderId: string;
  /** added to the order's totals */
  readonly filled: Units;
  readonly cost: Units;
  readonly fee: Units;
  readonly feeCurrency: string | null;
  /** new status (null = unchanged) */
  readonly status: ExchangeOrderStatus | null;
  readonly reason: string | null;
}

/** Everything one exchange operation changed, written in one transaction. */
/** An order the exchange placed and filled on its own: a liquidation (closed at once, never resting). */
export interface ExchangeInitiatedPaperOrder extends NewPaperOrder {
  readonly filled: Units;
  readonly cost: Units;
  readonly fee: Units;
  readonly feeCurrency: string;
  readonly reason: string;
}

export interface PaperChangeSet {
  newOrder?: NewPaperOrder;
  /** orders of the exchange's own (liquidations), inserted closed with their fills */
  readonly exchangeOrders: ExchangeInitiatedPaperOrder[];
  readonly orderChanges: PaperOrderChange[];
  readonly trades: NewPaperTrade[];
  /** added to paper_balances.total */
  readonly balanceDeltas: Map<string, Units>;
  /** absolute; qty 0 deletes */
  readonly positions: PaperPositionRow[];
  readonly progress: Map<string, PaperProgress>;
  readonly time: number;
}

export function emptyChangeSet(time: number): PaperChangeSet {
  return { exchangeOrders: [], orderChanges: [], trades: [], balanceDeltas: new Map(), positions: [], progress: new Map(), time };
}

export function isEmptyChangeSet(c: PaperChangeSet): boolean {
  return !c.newOrder && !c.exchangeOrders.length && !c.orderChanges.length && !c.trades.length && !c.positions.length && !c.progress.size && ![...c.balanceDeltas.values()].some((v) => v !== 0n);
}

type Row = Record<string, unknown>;

const ORDER_COLUMNS = `"id"::text AS id, "client_order_id", "symbol", "type", "side", "position_side", "amount"::text AS amount,
  "price"::text AS price, "trigger_price"::text AS trigger_price, "reduce_only", "status", "filled"::text AS filled, "cost"::text AS cost,
  "fee"::text AS fee, "fee_currency", "reason", "created_at", "updated_at"`;

const TRADE_COLUMNS = `"id"::text AS id, "order_id"::text AS order_id, "client_order_id", "symbol", "side", "position_side", "price"::text AS price,
  "amount"::text AS amount, "cost"::text AS cost, "fee"::text AS fee, "fee_currency", "realized_pnl"::text AS realized_pnl, "liquidity", "time"`;

const ms = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const units = (v: unknown): Units => parseUnits(String(v));
const unitsOrNull = (v: unknown): Units | null => (v === null || v === undefined ? null : parseUnits(String(v)));
const dec = (u: Units | null): string | null => (u === null ? null : formatUnits(u));

function toOrder(r: Row): PaperOrderRow {
  return {
    id: String(r.id),
    clientOrderId: String(r.client_order_id),
    symbol: String(r.symbol),
    type: r.type as OrderType,
    side: r.side as OrderSide,
    positionSide: r.position_side as PositionSide,
    amount: units(r.amount),
    price: unitsOrNull(r.price),
    triggerPrice: unitsOrNull(r.trigger_price),
    reduceOnly: r.reduce_only === true,
    status: r.status as ExchangeOrderStatus,
    filled: units(r.filled),
    cost: units(r.cost),
    fee: units(r.fee),
    feeCurrency: (r.fee_currency as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
  };
}

function toTrade(r: Row): PaperTradeRow {
  return {
    id: String(r.id),
    orderId: r.order_id === null ? null : String(r.order_id),
    clientOrderId: (r.client_order_id as string | null) ?? null,
    symbol: String(r.symbol),
    side: r.side as OrderSide,
    positionSide: r.position_side as PositionSide,
    price: units(r.price),
    amount: units(r.amount),
    cost: units(r.cost),
    fee: units(r.fee),
    feeCurrency: String(r.fee_currency),
    realizedPnl: units(r.realized_pnl),
    liquidity: r.liquidity as PaperTradeRow['liquidity'],
    time: ms(r.time),
  };
}

/** The paper exchange's books (migration 1732700000000-paper-exchange). Every query is scoped by account id. */
export class PaperExchangeRepository {
  constructor(private readonly sql: PaperSql) {}

  /** Create the account with its initial balances, unless it exists. Returns true when created. */
  async ensureAccount(accountId: string, initialBalances: ReadonlyMap<string, Units>): Promise<boolean> {
    return this.sql.transaction(async (q) => {
      const inserted = (await q.query(`INSERT INTO "paper_accounts" ("account_id") VALUES ($1) ON CONFLICT DO NOTHING RETURNING "account_id"`, [accountId])) as Row[];
      if (!inserted.length) return false;
      for (const [currency, total] of initialBalances) {
        await q.query(`INSERT INTO "paper_balances" ("account_id", "currency", "total") VALUES ($1, $2, $3)`, [accountId, currency, formatUnits(total)]);
      }
      return true;
    });
  }

  /** The account's commit counter: books loaded at another version are stale. */
  async version(accountId: string): Promise<number> {
    const rows = (await this.sql.read.query(`SELECT "version"::text AS version FROM "paper_accounts" WHERE "account_id" = $1`, [accountId])) as Row[];
    return rows.length ? Number(rows[0].version) : -1;
  }

  /** The account's books, all of one version (read again when a commit lands in between). */
  async loadState(accountId: string): Promise<PaperAccountState> {
    for (;;) {
      const before = await this.version(accountId);
      const state = await this.loadBooks(accountId, before);
      if ((await this.version(accountId)) === before) return state;
    }
  }

  private async loadBooks(accountId: string, version: number): Promise<PaperAccountState> {
    const r = this.sql.read;
    const [balances, positions, orders, progress] = (await Promise.all([
      r.query(`SELECT "currency", "total"::text AS total FROM "paper_balances" WHERE "account_id" = $1`, [accountId]),
      r.query(
        `SELECT "symbol", "position_side", "qty"::text AS qty, "entry_price"::text AS entry_price, "margin"::text AS margin
           FROM "paper_positions" WHERE "account_id" = $1`,
        [accountId],
      ),
      r.query(`SELECT ${ORDER_COLUMNS} FROM "paper_orders" WHERE "account_id" = $1 AND "status" = 'open' ORDER BY "id"`, [accountId]),
      r.query(`SELECT "symbol", "last_time"::text AS last_time, "last_price"::text AS last_price, "replay" FROM "paper_feed_progress" WHERE "account_id" = $1`, [accountId]),
    ])) as Row[][];
    return {
      version,
      balances: new Map(balances.map((b) => [String(b.currency), units(b.total)])),
      positions: positions.map((p) => ({
        symbol: String(p.symbol),
        positionSide: p.position_side as PositionSide,
        qty: units(p.qty),
        entryPrice: units(p.entry_price),
        margin: units(p.margin),
      })),
      openOrders: orders.map(toOrder),
      progress: new Map(
        progress.map((p) => [
          String(p.symbol),
          { time: Number(p.last_time), price: p.last_price === null ? null : Number(p.last_price), replay: (p.replay as PaperReplayState | null) ?? null },
        ]),
      ),
    };
  }

  async findOrder(accountId: string, clientOrderId: string): Promise<PaperOrderRow | null> {
    const rows = (await this.sql.read.query(`SELECT ${ORDER_COLUMNS} FROM "paper_orders" WHERE "account_id" = $1 AND "client_order_id" = $2`, [accountId, clientOrderId])) as Row[];
    return rows.length ? toOrder(rows[0]) : null;
  }

  async listOpenOrders(accountId: string, symbol?: string): Promise<PaperOrderRow[]> {
    const rows = (await this.sql.read.query(
      `SELECT ${ORDER_COLUMNS} FROM "paper_orders" WHERE "account_id" = $1 AND "status" = 'open' AND ($2::text IS NULL OR "symbol" = $2) ORDER BY "id"`,
      [accountId, symbol ?? null],
    )) as Row[];
    return rows.map(toOrder);
  }

  /** Oldest first (time, then insertion order). */
  async listTrades(accountId: string, symbol: string, since?: number, limit?: number): Promise<PaperTradeRow[]> {
    const rows = (await this.sql.read.query(
      `SELECT ${TRADE_COLUMNS} FROM "paper_trades"
        WHERE "account_id" = $1 AND "symbol" = $2 AND ($3::timestamptz IS NULL OR "time" >= $3)
        ORDER BY "time", "id" LIMIT $4`,
      [accountId, symbol, since === undefined ? null : new Date(since), limit ?? null],
    )) as Row[];
    return rows.map(toTrade);
  }

  async listOrderTrades(accountId: string, orderId: string): Promise<PaperTradeRow[]> {
    const rows = (await this.sql.read.query(`SELECT ${TRADE_COLUMNS} FROM "paper_trades" WHERE "account_id" = $1 AND "order_id" = $2 ORDER BY "time", "id"`, [accountId, orderId])) as Row[];
    return rows.map(toTrade);
  }

  /**
   * Write one operation's changes atomically, on books read at `version` (else PaperBooksStaleError, nothing written).
   * A new order is inserted first so its trades can reference it. Returns the trades and the account's new version.
   */
  async commit(accountId: string, version: number, c: PaperChangeSet): Promise<{ trades: PaperTradeRow[]; version: number }> {
    if (isEmptyChangeSet(c)) return { trades: [], version };
    const now = new Date(c.time);
    return this.sql.transaction(async (q) => {
      // (a SELECT around the UPDATE: TypeORM returns an UPDATE's rows in another shape)
      const moved = (await q.query(`WITH m AS (UPDATE "paper_accounts" SET "version" = "version" + 1 WHERE "account_id" = $1 AND "version" = $2 RETURNING "version") SELECT "version"::text AS version FROM m`, [
        accountId,
        version,
      ])) as Row[];
      if (!moved.length) throw new PaperBooksStaleError(accountId);
      const inserted: PaperTradeRow[] = [];
      const o = c.newOrder;
      if (o) {
        await q.query(
          `INSERT INTO "paper_orders" ("account_id", "client_order_id", "symbol", "type", "side", "position_side", "amount", "price", "trigger_price",
             "reduce_only", "status", "created_at", "updated_at")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11)`,
          [accountId, o.clientOrderId, o.symbol, o.type, o.side, o.positionSide, formatUnits(o.amount), dec(o.price), dec(o.triggerPrice), o.reduceOnly, new Date(o.createdAt)],
        );
      }
      for (const o of c.exchangeOrders) {
        await q.query(
          `INSERT INTO "paper_orders" ("account_id", "client_order_id", "symbol", "type", "side", "position_side", "amount", "price", "trigger_price",
             "reduce_only", "status", "filled", "cost", "fee", "fee_currency", "reason", "created_at", "updated_at")
           VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, 'closed', $9, $10, $11, $12, $13, $14, $14)`,
          [accountId, o.clientOrderId, o.symbol, o.type, o.side, o.positionSide, formatUnits(o.amount), o.reduceOnly, formatUnits(o.filled), formatUnits(o.cost), formatUnits(o.fee), o.feeCurrency, o.reason, new Date(o.createdAt)],
        );
      }
      for (const ch of c.orderChanges) {
        await q.query(
          `UPDATE "paper_orders" SET "filled" = "filled" + $3, "cost" = "cost" + $4, "fee" = "fee" + $5,
             "fee_currency" = COALESCE($6, "fee_currency"), "status" = COALESCE($7, "status"), "reason" = COALESCE($8, "reason"), "updated_at" = $9
           WHERE "account_id" = $1 AND "client_order_id" = $2`,
          [accountId, ch.clientOrderId, formatUnits(ch.filled), formatUnits(ch.cost), formatUnits(ch.fee), ch.feeCurrency, ch.status, ch.reason, now],
        );
      }
      for (const t of c.trades) {
        const rows = (await q.query(
          `INSERT INTO "paper_trades" ("account_id", "order_id", "client_order_id", "symbol", "side", "position_side", "price", "amount", "cost", "fee",
             "fee_currency", "realized_pnl", "liquidity", "time")
           VALUES ($1::varchar, (SELECT "id" FROM "paper_orders" WHERE "account_id" = $1::varchar AND "client_order_id" = $2::varchar), $2::varchar, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           RETURNING ${TRADE_COLUMNS}`,
          [
            accountId,
            t.clientOrderId,
            t.symbol,
            t.side,
            t.positionSide,
            formatUnits(t.price),
            formatUnits(t.amount),
            formatUnits(t.cost),
            formatUnits(t.fee),
            t.feeCurrency,
            formatUnits(t.realizedPnl),
            t.liquidity,
            new Date(t.time),
          ],
        )) as Row[];
        inserted.push(toTrade(rows[0]));
      }
      for (const [currency, delta] of c.balanceDeltas) {
        if (delta === 0n) continue;
        await q.query(
          `INSERT INTO "paper_balances" ("account_id", "currency", "total", "updated_at") VALUES ($1, $2, $3, $4)
           ON CONFLICT ("account_id", "currency") DO UPDATE SET "total" = "paper_balances"."total" + EXCLUDED."total", "updated_at" = EXCLUDED."updated_at"`,
          [accountId, currency, formatUnits(delta), now],
        );
      }
      for (const p of c.positions) {
        if (p.qty === 0n) {
          await q.query(`DELETE FROM "paper_positions" WHERE "account_id" = $1 AND "symbol" = $2 AND "position_side" = $3`, [accountId, p.symbol, p.positionSide]);
        } else {
          await q.query(
            `INSERT INTO "paper_positions" ("account_id", "symbol", "position_side", "qty", "entry_price", "margin", "updated_at") VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT ("account_id", "symbol", "position_side") DO UPDATE
               SET "qty" = EXCLUDED."qty", "entry_price" = EXCLUDED."entry_price", "margin" = EXCLUDED."margin", "updated_at" = EXCLUDED."updated_at"`,
            [accountId, p.symbol, p.positionSide, formatUnits(p.qty), formatUnits(p.entryPrice), formatUnits(p.margin), now],
          );
        }
      }
      for (const [symbol, p] of c.progress) {
        if (p.replay !== undefined) {
          await q.query(
            `INSERT INTO "paper_feed_progress" ("account_id", "symbol", "last_time", "last_price", "replay") VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT ("account_id", "symbol") DO UPDATE SET "last_time" = EXCLUDED."last_time",
               "last_price" = COALESCE(EXCLUDED."last_price", "paper_feed_progress"."last_price"), "replay" = EXCLUDED."replay"`,
            [accountId, symbol, p.time, p.price === null ? null : String(p.price), p.replay === null ? null : JSON.stringify(p.replay)],
          );
          continue;
        }
        await q.query(
          `INSERT INTO "paper_feed_progress" ("account_id", "symbol", "last_time", "last_price") VALUES ($1, $2, $3, $4)
           ON CONFLICT ("account_id", "symbol") DO UPDATE SET "last_time" = EXCLUDED."last_time", "last_price" = COALESCE(EXCLUDED."last_price", "paper_feed_progress"."last_price")`,
          [accountId, symbol, p.time, p.price === null ? null : String(p.price)],
        );
      }
      return { trades: inserted, version: Number(moved[0].version) };
    });
  }
}
