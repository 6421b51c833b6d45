import { randomUUID } from 'node:crypto';

/** Anything that runs SQL (a DataSource, an EntityManager). */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A user row (trader unless told), straight into `users`: the repositories under test reference it. */
export async function insertUser(sql: Sql, over: { role?: 'admin' | 'trader' } = {}): Promise<string> {
  const id = randomUUID();
  await sql.query(`INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', $3)`, [id, `u-${id}@test.example`, over.role ?? 'trader']);
  return id;
}

/** A paper exchange account row (no secrets), straight into `exchange_accounts`, for rows that reference one. */
export async function insertPaperAccount(sql: Sql, userId: string, marketType: 'spot' | 'perp' = 'perp'): Promise<string> {
  const id = randomUUID();
  await sql.query(`INSERT INTO exchange_accounts (id, user_id, exchange, label, market_type) VALUES ($1, $2, 'paper', $3, $4)`, [id, userId, `paper-${id.slice(0, 8)}`, marketType]);
  return id;
}

/** An exchange_accounts row as the repository takes it (secrets are opaque blobs here). */
export function accountRow(userId: string, over: Partial<AccountRow> = {}): AccountRow {
  const id = randomUUID();
  return {
    id,
    userId,
    exchange: 'binance',
    label: `test-${id.slice(0, 8)}`, // unique per user
    marketType: 'spot',
    apiKeyEnc: 'v1:k:iv:tag:ct',
    secretEnc: 'v1:k:iv:tag:ct',
    passphraseEnc: null,
    keyId: 'k1',
    apiKeyHint: 'abcd',
    paperBalances: null,
    deletedAt: null,
    ...over,
  } as AccountRow;
}

export interface AccountRow {
  id: string;
  userId: string;
  exchange: 'okx' | 'binance' | 'binanceusdm' | 'bybit' | 'bitget' | 'upbit' | 'paper';
  label: string;
  marketType: 'spot' | 'perp';
  apiKeyEnc: string | null;
  secretEnc: string | null;
  passphraseEnc: string | null;
  keyId: string | null;
  apiKeyHint: string | null;
  paperBalances: Record<string, string> | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A positions row (open unless `closedAt` is given); numeric fields as decimal strings. */
export function positionRow(userId: string, accountId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    userId,
    accountId,
    symbol: 'BTC/USDT:USDT',
    side: 'long',
    botKey: '',
    size: '0.5',
    averageEntry: '60000',
    realizedPnl: '0',
    fees: '0.1',
    funding: '0',
    leverage: '5',
    openedAt: new Date(Date.UTC(2025, 0, 1)),
    closedAt: null,
    updatedAt: new Date(Date.UTC(2025, 0, 1)),
    fillCount: 1,
    ...over,
  };
}

/** A new PENDING order as OrdersRepository.insertPending takes it (a market buy on a perp unless told). */
export function newOrder(userId: string, accountId: string, over: Record<string, unknown> = {}) {
  const key = randomUUID();
  return {
    userId,
    accountId,
    botId: null as string | null,
    intentKey: `manual:${key}`,
    clientOrderId: `tb${key.replace(/-/g, '').slice(0, 30)}`,
    exchange: 'paper',
    symbol: 'BTC/USDT:USDT',
    type: 'market' as const,
    side: 'buy' as const,
    positionSide: 'long' as const,
    amount: '0.01',
    price: null as string | null,
    triggerPrice: null as string | null,
    reduceOnly: false,
    tag: 'entry',
    ...over,
  };
}

/** A fill of `order` (numeric fields as decimal strings). */
export function newFill(order: { id: string; userId: string; accountId: string; botId: string | null; symbol: string; side: 'buy' | 'sell'; positionSide: 'long' | 'short' }, over: Record<string, unknown> = {}) {
  return {
    orderId: order.id,
    userId: order.userId,
    accountId: order.accountId,
    botId: order.botId,
    exchange: 'paper',
    exchangeTradeId: String(Math.floor(Math.random() * 1e12)),
    symbol: order.symbol,
    side: order.side,
    positionSide: order.positionSide,
    price: '60000',
    amount: '0.01',
    fee: '0.3',
    feeCurrency: 'USDT',
    feeQuote: '0.3',
    executedAt: new Date(Date.UTC(2025, 0, 1)),
    ...over,
  };
}
