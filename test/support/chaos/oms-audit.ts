import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { recomputePosition, type PositionState } from '@tb/positions';
import type { FakeBinanceState, FakeOrder, FakeTrade } from '../fake-exchange/fake-binance.state';

/**
 * Independent audit of the OMS against the fake exchange's own books (the ground truth): duplicates on the
 * exchange, fills recorded exactly once, one order row per intent with the exchange's status, and positions
 * equal to a recomputation from the exchange's trades in execution order. Reads the database with plain SQL.
 */

export interface PositionCheck {
  symbol: string;
  ok: boolean;
  expected: PositionState;
  actual: PositionState | null;
}

export interface OmsAudit {
  exchangeOrders: number;
  /** clientOrderIds the exchange created more than one order for */
  duplicates: string[];
  exchangeTrades: number;
  fills: number;
  /** exchange trades with no fill row */
  lostFills: number[];
  /** fill rows recorded more than once, or with no exchange trade behind them, or with wrong values */
  extraFills: string[];
  wrongFills: string[];
  /** plan intents without exactly one orders row */
  intentsWithoutOneRow: string[];
  /** orders rows whose intent is not in the plan */
  unexpectedRows: string[];
  /** rows whose status / filled amount disagree with the exchange */
  statusMismatches: string[];
  statusCounts: Record<string, number>;
  positions: PositionCheck[];
}

interface OrderRow {
  id: string;
  intent_key: string;
  client_order_id: string;
  status: string;
  filled: string;
  symbol: string;
  send_attempts: number;
}

interface FillRow {
  exchange_trade_id: string;
  client_order_id: string;
  price: string;
  amount: string;
  fee: string;
  n: number;
}

const EXPECTED_STATUS: Record<FakeOrder['status'], string> = {
  NEW: 'OPEN',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  EXPIRED: 'EXPIRED',
  REJECTED: 'REJECTED',
};

const dec = (x: string | number | null): Decimal | null => (x === null ? null : new Decimal(x));
const same = (a: string | number | null, b: string | number | null): boolean => {
  const x = dec(a);
  const y = dec(b);
  return x === null || y === null ? x === y : x.eq(y);
};

/** A trade's fee in the quote currency, from the exchange's raw numbers (Binance charges a buy's fee in base). */
export function tradeFeeQuote(t: FakeTrade, quoteAsset: string): number {
  return t.commissionAsset === quoteAsset ? t.commission : t.commission * t.price;
}

export async function auditOms(
  ds: DataSource,
  state: FakeBinanceState,
  accountId: string,
  opts: { intentKeys: readonly string[]; symbols: Record<string, { id: string; quote: string }>; positionSide?: 'long' },
): Promise<OmsAudit> {
  const exchangeOrders = [...state.orders.values()];
  const duplicates = [...state.ordersCreatedByClientOrderId].filter(([, n]) => n > 1).map(([cid]) => cid);

  const rows = (await ds.query(
    'SELECT id, intent_key, client_order_id, status, filled::text AS filled, symbol, send_attempts FROM orders WHERE account_id = $1',
    [accountId],
  )) as OrderRow[];
  const fills = (await ds.query(
    `SELECT f.exchange_trade_id, o.client_order_id, f.price::text AS price, f.amount::text AS amount, f.fee::text AS fee,
            count(*) OVER (PARTITION BY f.exchange_trade_id)::int AS n
       FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.account_id = $1`,
    [accountId],
  )) as FillRow[];

  // fills: every exchange trade exactly once, with the exchange's values, on the order that made it
  const fillByTrade = new Map(fills.map((f) => [f.exchange_trade_id, f]));
  const tradeIds = new Set(state.trades.map((t) => String(t.id)));
  const lostFills = state.trades.filter((t) => !fillByTrade.has(String(t.id))).map((t) => t.id);
  const extraFills = fills.filter((f) => f.n > 1 || !tradeIds.has(f.exchange_trade_id)).map((f) => f.exchange_trade_id);
  const wrongFills: string[] = [];
  for (const t of state.trades) {
    const f = fillByTrade.get(String(t.id));
    if (f && (f.client_order_id !== t.clientOrderId || !same(f.price, t.price) || !same(f.amount, t.qty) || !same(f.fee, t.commission))) {
      wrongFills.push(`${t.id}: exchange ${t.clientOrderId} ${t.qty}@${t.price} fee ${t.commission}, db ${f.client_order_id} ${f.amount}@${f.price} fee ${f.fee}`);
    }
  }

  // orders: one row per intent, status and filled amount as the exchange says
  const rowsByIntent = new Map<string, OrderRow[]>();
  for (const r of rows) rowsByIntent.set(r.intent_key, [...(rowsByIntent.get(r.intent_key) ?? []), r]);
  const planned = new Set(opts.intentKeys);
  const intentsWithoutOneRow = opts.intentKeys.filter((k) => (rowsByIntent.get(k)?.length ?? 0) !== 1);
  const unexpectedRows = rows.filter((r) => !planned.has(r.intent_key)).map((r) => r.intent_key);
  const statusMismatches: string[] = [];
  const statusCounts: Record<string, number> = {};
  for (const r of rows) {
    statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
    const market = opts.symbols[r.symbol];
    const ex = state.orderByClientId(market.id, r.client_order_id);
    if (!ex) {
      // never reached the exchange: it must have been closed locally (rejected / canceled before sending)
      if (!['REJECTED', 'CANCELED', 'EXPIRED'].includes(r.status)) statusMismatches.push(`${r.intent_key}: db ${r.status}, exchange has no order`);
      continue;
    }
    const want = EXPECTED_STATUS[ex.status];
    if (r.status !== want || !same(r.filled, ex.executedQty)) {
      statusMismatches.push(`${r.intent_key}: db ${r.status} filled ${r.filled}, exchange ${ex.status} filled ${ex.executedQty}`);
    }
  }

  // positions: the open lifecycle equals the fold of the exchange's trades in execution order
  const positions: PositionCheck[] = [];
  for (const [symbol, m] of Object.entries(opts.symbols)) {
    const trades = state.trades.filter((t) => t.symbol === m.id);
    if (trades.length === 0) continue;
    const expected = recomputePosition(
      trades.map((t) => ({ side: t.side === 'BUY' ? 'buy' : 'sell', positionSide: opts.positionSide ?? 'long', amount: t.qty, price: t.price, feeQuote: tradeFeeQuote(t, m.quote) })),
    );
    const [row] = (await ds.query(
      `SELECT size::text AS size, average_entry::text AS "averageEntry", realized_pnl::text AS "realizedPnl", fees::text AS fees, fill_count AS "fillCount"
         FROM positions WHERE account_id = $1 AND symbol = $2 AND side = $3 AND closed_at IS NULL`,
      [accountId, symbol, opts.positionSide ?? 'long'],
    )) as PositionState[];
    const actual = row ?? null;
    const ok =
      actual === null
        ? new Decimal(expected.size).isZero()
        : same(actual.size, expected.size) &&
          same(actual.averageEntry, expected.averageEntry) &&
          same(actual.realizedPnl, expected.realizedPnl) &&
          same(actual.fees, expected.fees) &&
          actual.fillCount === expected.fillCount;
    positions.push({ symbol, ok, expected, actual });
  }

  return {
    exchangeOrders: exchangeOrders.length,
    duplicates,
    exchangeTrades: state.trades.length,
    fills: fills.length,
    lostFills,
    extraFills,
    wrongFills,
    intentsWithoutOneRow,
    unexpectedRows,
    statusMismatches,
    statusCounts,
    positions,
  };
}

/** Where a kill landed, read from what it left behind (before any repair). */
export interface KillSite {
  /** PENDING committed, never sent (send_attempts = 0) */
  pendingUnsent: number;
  /** sent (attempts > 0) but the exchange has no such order: killed before the request was processed */
  pendingLost: number;
  /** the exchange created the order, the result was never recorded: killed during the call or before the record commit */
  unrecorded: number;
  /** the exchange canceled an order the database still holds OPEN (killed inside a cancel) */
  cancelUnrecorded: number;
  /** exchange trades not yet in fills */
  tradesUnrecorded: number;
  /** the session was inside a reconciler pass */
  inReconcile: boolean;
  /** last progress marker the session printed */
  lastMarker: string;
}

export async function killSite(ds: DataSource, state: FakeBinanceState, accountId: string, output: string, symbolIds: Record<string, string>): Promise<KillSite> {
  const rows = (await ds.query("SELECT client_order_id, status, send_attempts, symbol FROM orders WHERE account_id = $1 AND status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED')", [accountId])) as OrderRow[];
  const site: KillSite = { pendingUnsent: 0, pendingLost: 0, unrecorded: 0, cancelUnrecorded: 0, tradesUnrecorded: 0, inReconcile: false, lastMarker: '' };
  for (const r of rows) {
    const ex = state.orderByClientId(symbolIds[r.symbol], r.client_order_id);
    if (r.status === 'PENDING') {
      if (r.send_attempts === 0) site.pendingUnsent++;
      else if (!ex) site.pendingLost++;
      else site.unrecorded++;
    } else if (ex?.status === 'CANCELED') {
      site.cancelUnrecorded++;
    }
  }
  const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM fills WHERE account_id = $1', [accountId])) as Array<{ n: number }>;
  site.tradesUnrecorded = state.trades.length - n;
  const markers = output.split('\n').filter((l) => /^[A-Z_]+( |$)/.test(l));
  site.inReconcile = markers.filter((l) => l === 'RECONCILE_BEGIN').length > markers.filter((l) => l.startsWith('RECONCILE_END')).length;
  site.lastMarker = (markers.at(-1) ?? '(booting)').split(' ')[0];
  return site;
}
