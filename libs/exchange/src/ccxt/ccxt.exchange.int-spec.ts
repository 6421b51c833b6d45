/**
 * CcxtExchange with the REAL ccxt binance client against the local fake Binance server (loopback only,
 * no database). What the server RECEIVED is asserted, not what the client believes it sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBinance, type FakeBinance, type FakeBinanceOptions } from '../../../../test/support/fake-exchange/fake-binance.server';
import {
  AuthenticationError,
  ExchangeError,
  InsufficientFundsError,
  InvalidOrderError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
} from '../exchange.errors';
import { CcxtClientRegistry } from './ccxt-client.registry';
import { CcxtExchange, type CcxtExchangeConfig } from './ccxt.exchange';

interface Rig {
  fake: FakeBinance;
  ex: CcxtExchange;
  sleeps: number[];
  logs: string[];
  registry: CcxtClientRegistry;
}

const open: Array<{ fake: FakeBinance; ex: CcxtExchange }> = [];

async function rig(fakeOpts: FakeBinanceOptions = {}, cfg: Partial<CcxtExchangeConfig> = {}): Promise<Rig> {
  const fake = await startFakeBinance({ balances: { USDT: 10_000, BTC: 0.5 }, ...fakeOpts });
  const sleeps: number[] = [];
  const logs: string[] = [];
  const registry = cfg.registry ?? new CcxtClientRegistry();
  const ex = new CcxtExchange({
    exchangeId: 'binance',
    accountId: 'acc-1',
    credentials: { apiKey: fake.apiKey, secret: fake.secret },
    urls: fake.ccxtUrls,
    rateLimitMs: 1,
    timeoutMs: 1_000,
    ambiguousCreateGraceMs: 20,
    retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 5_000 },
    hooks: {
      // record the chosen delays, wait only briefly (Retry-After is asserted, not endured)
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
      },
    },
    logger: { warn: (m) => logs.push(m), debug: (m) => logs.push(m) },
    registry,
    ...cfg,
  });
  open.push({ fake, ex });
  return { fake, ex, sleeps, logs, registry };
}

afterEach(async () => {
  while (open.length) {
    const { fake, ex } = open.pop()!;
    await ex.close();
    await fake.close();
  }
});

const calls = (fake: FakeBinance, key: string): number => fake.state.callsByEndpoint.get(key) ?? 0;
const lastRequest = (fake: FakeBinance, method: string, path: string): Record<string, string> | undefined =>
  [...fake.state.requests].reverse().find((r) => r.method === method && r.path === path)?.params;

async function rejection(p: Promise<unknown>): Promise<ExchangeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ExchangeError);
    return e as ExchangeError;
  }
  throw new Error('expected a rejection');
}

describe('CcxtExchange × fake Binance: basics', () => {
  it('loads markets with the precision and limits of the fixture, once, with a server-time sync', async () => {
    const { fake, ex } = await rig();
    const markets = await ex.loadMarkets();
    expect([...markets.keys()].sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'XRP/USDT']);
    expect(ex.market('BTC/USDT')).toMatchObject({
      id: 'BTCUSDT', type: 'spot', base: 'BTC', quote: 'USDT', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001,
      minNotional: 5, maxAmount: 9000, minPrice: 0.01, maxPrice: 1_000_000, contractSize: 1,
      precision: { amount: 0.00001, price: 0.01, mode: 'tick_size' },
    });
    // ETH uses the legacy MIN_NOTIONAL filter, XRP whole-unit lots
    expect(ex.market('ETH/USDT')).toMatchObject({ amountStep: 0.0001, minNotional: 5 });
    expect(ex.market('XRP/USDT')).toMatchObject({ amountStep: 1, tickSize: 0.0001, minAmount: 1 });
    await ex.loadMarkets();
    await ex.fetchBalance();
    expect(calls(fake, 'GET /api/v3/exchangeInfo')).toBe(1);
    expect(calls(fake, 'GET /api/v3/time')).toBe(1);
    expect(() => ex.market('DOGE/USDT')).toThrow(/no market DOGE\/USDT/);
  });

  it('reloads markets after the TTL', async () => {
    let now = 1_000_000;
    const { fake, ex } = await rig({}, { clock: () => now, marketsTtlMs: 60_000 });
    await ex.loadMarkets();
    now += 59_000;
    await ex.loadMarkets();
    expect(calls(fake, 'GET /api/v3/exchangeInfo')).toBe(1);
    now += 2_000;
    await ex.loadMarkets();
    expect(calls(fake, 'GET /api/v3/exchangeInfo')).toBe(2);
  });

  it('fetches balances, ticker and candles', async () => {
    const { ex } = await rig();
    const bal = await ex.fetchBalance();
    expect(bal.assets.USDT).toEqual({ free: 10_000, used: 0, total: 10_000 });
    expect(bal.assets.BTC).toEqual({ free: 0.5, used: 0, total: 0.5 });
    expect((await ex.fetchTicker('BTC/USDT')).last).toBe(60_000);
    const candles = await ex.fetchOHLCV('BTC/USDT', '1h', undefined, 3);
    expect(candles).toHaveLength(3);
    expect(candles[1].time - candles[0].time).toBe(3_600_000);
    expect(candles[2]).toMatchObject({ open: 60_000, close: 60_000 });
    expect(await ex.fetchPositions()).toEqual([]);
  });

  it('creates a limit order with our clientOrderId, precision applied to what the server received', async () => {
    const { fake, ex } = await rig();
    const o = await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.0012345, price: 59_000.126, clientOrderId: 'tbLimit1' });
    const sent = lastRequest(fake, 'POST', '/api/v3/order')!;
    expect(sent.newClientOrderId).toBe('tbLimit1');
    expect(sent.quantity).toBe('0.00123'); // truncated to the 0.00001 step
    expect(sent.price).toBe('59000.13'); // rounded to the 0.01 tick
    expect(sent.type).toBe('LIMIT');
    expect(o).toMatchObject({ clientOrderId: 'tbLimit1', status: 'open', amount: 0.00123, filled: 0, remaining: 0.00123, price: 59_000.13, side: 'buy', symbol: 'BTC/USDT' });
    expect(o.id).toBe(String(fake.state.orderByClientId('BTCUSDT', 'tbLimit1')!.orderId));
    // the balance lock follows (0.00123 × 59000.13 = 72.5701599 -> 72.57015990)
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ free: 9_927.4298401, used: 72.5701599, total: 10_000 });
  });

  it('creates a market order that fills at once, with its fee in the received asset', async () => {
    const { fake, ex } = await rig();
    const o = await ex.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'tbMkt1' });
    expect(lastRequest(fake, 'POST', '/api/v3/order')).toMatchObject({ type: 'MARKET', quantity: '0.01', newClientOrderId: 'tbMkt1' });
    expect(lastRequest(fake, 'POST', '/api/v3/order')!.quoteOrderQty).toBeUndefined();
    expect(o).toMatchObject({ status: 'closed', amount: 0.01, filled: 0.01, remaining: 0, average: 60_000, fee: { cost: 0.00001, currency: 'BTC' } });
    expect(o.trades).toHaveLength(1);
    expect(o.trades[0]).toMatchObject({ price: 60_000, amount: 0.01, fee: 0.00001, feeCurrency: 'BTC', clientOrderId: 'tbMkt1', orderId: o.id });
  });

  it('fetches by client id (null when unknown), cancels idempotently', async () => {
    const { fake, ex } = await rig();
    const created = await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'sell', amount: 0.1, price: 70_000, clientOrderId: 'tbSell1' });
    const fetched = await ex.fetchOrderByClientId('BTC/USDT', 'tbSell1');
    expect(fetched).toMatchObject({ id: created.id, clientOrderId: 'tbSell1', status: 'open', amount: 0.1, price: 70_000 });
    expect(lastRequest(fake, 'GET', '/api/v3/order')).toMatchObject({ origClientOrderId: 'tbSell1', symbol: 'BTCUSDT' });
    expect(await ex.fetchOrderByClientId('BTC/USDT', 'tbNever')).toBeNull();
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['tbSell1']);

    const canceled = await ex.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'tbSell1' });
    // Binance answers a cancel with the CANCEL request's id in clientOrderId; ours is kept
    expect(canceled).toMatchObject({ id: created.id, clientOrderId: 'tbSell1', status: 'canceled', filled: 0 });
    expect(lastRequest(fake, 'DELETE', '/api/v3/order')).toMatchObject({ origClientOrderId: 'tbSell1' });
    const again = await ex.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'tbSell1' });
    expect(again).toMatchObject({ status: 'canceled', clientOrderId: 'tbSell1' });
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect(await rejection(ex.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'tbNever' }))).toBeInstanceOf(OrderNotFoundError);
    expect((await ex.fetchBalance()).assets.BTC).toEqual({ free: 0.5, used: 0, total: 0.5 });
  });

  it('follows a partial fill and lists its trades with our clientOrderId', async () => {
    const { fake, ex } = await rig();
    await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.002, price: 59_000, clientOrderId: 'tbPart1' });
    fake.state.fillOrder('tbPart1', 0.0005);
    const o = await ex.fetchOrderByClientId('BTC/USDT', 'tbPart1');
    expect(o).toMatchObject({ status: 'open', filled: 0.0005, remaining: 0.0015, average: 59_000 });
    fake.state.fillOrder('tbPart1', 0.0015, 58_990);
    const done = await ex.fetchOrderByClientId('BTC/USDT', 'tbPart1');
    expect(done).toMatchObject({ status: 'closed', filled: 0.002, remaining: 0 });
    // average = (0.0005 × 59000 + 0.0015 × 58990) / 0.002 = 58992.5
    expect(done!.average).toBeCloseTo(58_992.5, 6);
    const trades = await ex.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => [t.amount, t.price, t.fee, t.feeCurrency, t.clientOrderId, t.side, t.orderId])).toEqual([
      [0.0005, 59_000, 0.0000005, 'BTC', 'tbPart1', 'buy', o!.id],
      [0.0015, 58_990, 0.0000015, 'BTC', 'tbPart1', 'buy', o!.id],
    ]);
    const since = trades[1].timestamp;
    expect((await ex.fetchMyTrades('BTC/USDT', since)).length).toBeGreaterThanOrEqual(1);
  });

  it('a bad signature is rejected by the server (-1022) and never retried; no secret in the error', async () => {
    const { fake } = await rig();
    const registry = new CcxtClientRegistry();
    const bad = new CcxtExchange({
      exchangeId: 'binance', accountId: 'acc-bad', credentials: { apiKey: fake.apiKey, secret: 'wrong-secret-value-123' },
      urls: fake.ccxtUrls, rateLimitMs: 1, registry, retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2 },
    });
    open.push({ fake, ex: bad });
    const err = await rejection(bad.fetchBalance());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('EXCHANGE_AUTHENTICATION_FAILED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('-1022');
    expect(calls(fake, 'GET /api/v3/account')).toBe(1);
    for (const s of [fake.apiKey, 'wrong-secret-value-123']) expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(s);
  });

  it('shares one ccxt instance per exchange + account', async () => {
    const { fake, ex, registry } = await rig();
    const twin = new CcxtExchange({ exchangeId: 'binance', accountId: 'acc-1', credentials: { apiKey: fake.apiKey, secret: fake.secret }, urls: fake.ccxtUrls, rateLimitMs: 1, registry, ambiguousCreateGraceMs: 20 });
    const other = new CcxtExchange({ exchangeId: 'binance', accountId: 'acc-2', credentials: { apiKey: fake.apiKey, secret: fake.secret }, urls: fake.ccxtUrls, rateLimitMs: 1, registry });
    expect(registry.size).toBe(2);
    await ex.loadMarkets();
    await twin.loadMarkets(); // shared cache: no second exchangeInfo
    expect(calls(fake, 'GET /api/v3/exchangeInfo')).toBe(1);
    expect(String(twin)).not.toContain(fake.secret);
    expect(JSON.stringify(twin)).toBe('{"exchangeId":"binance","accountId":"acc-1"}');
    await twin.close();
    await other.close();
    expect(registry.size).toBe(1);
  });
});

describe('CcxtExchange × fake Binance: precision and minimums are enforced before sending', () => {
  it.each([
    ['an amount below the minimum', { type: 'limit', amount: 0.000009, price: 60_000 }, 'below_min_amount', /below the minimum 0\.00001 BTC/],
    ['an amount that truncates below the minimum', { type: 'limit', amount: 0.0000199, price: 600_000 }, null, null],
    ['a limit value below 5 USDT', { type: 'limit', amount: 0.00009, price: 50_000 }, 'below_min_cost', /below the minimum 5 USDT/],
    ['a market value below 5 USDT at the reference price', { type: 'market', amount: 0.00008, referencePrice: 60_000 }, 'below_min_cost', /4\.8 USDT .* below the minimum 5 USDT/],
    ['a limit without a price', { type: 'limit', amount: 0.001 }, 'missing_price', /needs a price/],
    ['a clientOrderId Binance does not accept', { type: 'limit', amount: 0.001, price: 60_000, clientOrderId: 'has space' }, 'invalid_client_order_id', /not accepted/],
  ] as const)('refuses %s (server receives nothing)', async (_name, patch, reason, msg) => {
    const { fake, ex } = await rig();
    const req = { symbol: 'BTC/USDT', side: 'buy' as const, clientOrderId: 'tbMin1', ...patch };
    if (reason === null) {
      // 0.0000199 truncates to 0.00001 (= the minimum): accepted and sent as such
      const o = await ex.createOrder(req);
      expect(lastRequest(fake, 'POST', '/api/v3/order')!.quantity).toBe('0.00001');
      expect(o.amount).toBe(0.00001);
      return;
    }
    const err = await rejection(ex.createOrder(req));
    expect(err).toBeInstanceOf(InvalidOrderError);
    expect((err as InvalidOrderError).reason).toBe(reason);
    expect(err.message).toMatch(msg!);
    expect(calls(fake, 'POST /api/v3/order')).toBe(0);
  });

  it('prepareOrder returns exactly what would be sent', async () => {
    const { ex } = await rig();
    await ex.loadMarkets();
    expect(ex.prepareOrder({ symbol: 'ETH/USDT', type: 'limit', side: 'sell', amount: 1.23456, price: 3_000.005, clientOrderId: 'x1' })).toMatchObject({ amount: 1.2345, price: 3_000.01 });
    expect(ex.prepareOrder({ symbol: 'XRP/USDT', type: 'stop_market', side: 'sell', amount: 20.9, triggerPrice: 0.51234, clientOrderId: 'x2' })).toMatchObject({ amount: 20, triggerPrice: 0.5123 });
  });

  it('a stop_market order goes out as Binance STOP_LOSS with the rounded stopPrice', async () => {
    const { fake, ex } = await rig();
    const o = await ex.createOrder({ symbol: 'BTC/USDT', type: 'stop_market', side: 'sell', amount: 0.01, triggerPrice: 55_000.004, clientOrderId: 'tbStop1', reduceOnly: true });
    const sent = lastRequest(fake, 'POST', '/api/v3/order')!;
    expect(sent).toMatchObject({ type: 'STOP_LOSS', stopPrice: '55000', quantity: '0.01', newClientOrderId: 'tbStop1' });
    expect(sent.reduceOnly).toBeUndefined(); // spot has no reduceOnly parameter
    expect(o.status).toBe('open');
    fake.state.setPrice('BTCUSDT', 54_990);
    expect(await ex.fetchOrderByClientId('BTC/USDT', 'tbStop1')).toMatchObject({ status: 'closed', filled: 0.01, average: 54_990 });
  });
});

describe('CcxtExchange × fake Binance: retries', () => {
  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const { fake, ex, sleeps } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: '429', endpoint: 'GET /api/v3/account', times: 2, retryAfterSec: 2 });
    expect((await ex.fetchBalance()).assets.USDT.free).toBe(10_000);
    expect(calls(fake, 'GET /api/v3/account')).toBe(3);
    expect(sleeps.slice(0, 2)).toEqual([2_000, 2_000]);
  });

  it('a 418 ban longer than maxRetryAfterMs is thrown at once (retryable, with retryAfterMs)', async () => {
    const { fake, ex } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: '418', endpoint: 'GET /api/v3/account', retryAfterSec: 600 });
    const err = await rejection(ex.fetchBalance());
    expect(err.code).toBe('EXCHANGE_RATE_LIMITED');
    expect(err.retryable).toBe(true);
    expect((err as unknown as { retryAfterMs: number }).retryAfterMs).toBe(600_000);
    expect(calls(fake, 'GET /api/v3/account')).toBe(1);
  });

  it('retries 5xx with growing backoff', async () => {
    const { fake, ex } = await rig({}, { hooks: undefined });
    await ex.loadMarkets();
    for (const kind of ['500', '502', '503'] as const) fake.faults.inject({ kind, endpoint: 'GET /api/v3/account' });
    const t0 = Date.now();
    await ex.fetchBalance();
    expect(calls(fake, 'GET /api/v3/account')).toBe(4);
    // equal jitter with base 10 / cap 40: at least 5 + 10 + 20 ms of waiting
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
  });

  it('retries timeouts and connection resets', async () => {
    const { fake, ex } = await rig({}, { timeoutMs: 250 });
    await ex.loadMarkets();
    fake.faults.inject({ kind: 'timeout', endpoint: '/api/v3/ticker/24hr' });
    fake.faults.inject({ kind: 'reset', endpoint: '/api/v3/ticker/24hr', times: 2 });
    expect((await ex.fetchTicker('ETH/USDT')).last).toBe(3_000);
    expect(calls(fake, 'GET /api/v3/ticker/24hr')).toBe(4);
  });

  it('gives up after maxAttempts with a retryable ExchangeUnavailableError', async () => {
    const { fake, ex } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: '503', endpoint: '/api/v3/ticker/24hr', times: 50 });
    const err = await rejection(ex.fetchTicker('BTC/USDT'));
    expect(err.code).toBe('EXCHANGE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(calls(fake, 'GET /api/v3/ticker/24hr')).toBe(5);
  });

  it('never retries insufficient funds (-2010) or an order the exchange rejects', async () => {
    const { fake, ex } = await rig();
    const funds = await rejection(ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 1, price: 59_000, clientOrderId: 'tbBig1' }));
    expect(funds).toBeInstanceOf(InsufficientFundsError);
    expect(funds.message).toContain('Account has insufficient balance');
    expect(calls(fake, 'POST /api/v3/order')).toBe(1);
    // above PRICE_FILTER maxPrice: not checked locally, rejected by the exchange (-1013)
    const invalid = await rejection(ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'sell', amount: 0.001, price: 2_000_000, clientOrderId: 'tbHigh1' }));
    expect(invalid).toBeInstanceOf(InvalidOrderError);
    expect(invalid.retryable).toBe(false);
    expect(calls(fake, 'POST /api/v3/order')).toBe(2);
    expect(calls(fake, 'GET /api/v3/order')).toBe(0);
  });

  it('re-syncs the clock after -1021 and retries', async () => {
    const { fake, ex } = await rig();
    await ex.fetchBalance();
    fake.setTimeOffset(-30_000); // the server clock jumps 30 s back: our timestamps are now "ahead"
    expect((await ex.fetchBalance()).assets.USDT.free).toBe(10_000);
    expect(calls(fake, 'GET /api/v3/time')).toBe(2);
    expect(calls(fake, 'GET /api/v3/account')).toBe(3);
  });

  it('syncs to a server whose clock is off before the first signed call', async () => {
    const { fake, ex } = await rig({ timeOffsetMs: 45_000 });
    expect((await ex.fetchBalance()).assets.USDT.free).toBe(10_000);
    expect(calls(fake, 'GET /api/v3/account')).toBe(1);
  });
});

describe('CcxtExchange × fake Binance: a lost create response never duplicates the order', () => {
  it.each(['lost-response', 'lost-response-timeout'] as const)('%s on a market order: adopted by fetch-by-client-id, not resent', async (kind) => {
    const { fake, ex, logs } = await rig({}, { timeoutMs: 300 });
    await ex.loadMarkets();
    fake.faults.inject({ kind, endpoint: 'POST /api/v3/order' });
    const o = await ex.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'tbLost1' });
    expect(o).toMatchObject({ clientOrderId: 'tbLost1', status: 'closed', filled: 0.01 });
    expect(fake.state.ordersCreatedByClientOrderId.get('tbLost1')).toBe(1);
    expect(calls(fake, 'POST /api/v3/order')).toBe(1);
    expect(calls(fake, 'GET /api/v3/order')).toBe(1);
    // exactly one buy: 10000 - 600 USDT, 0.5 + 0.01 - 0.00001 fee BTC
    const bal = await ex.fetchBalance();
    expect(bal.assets.USDT.total).toBe(9_400);
    expect(bal.assets.BTC.total).toBe(0.50999);
    expect(logs.join('\n')).toContain('adopted');
  });

  it('a create that was NOT processed (503, reset) is looked up, then resent once', async () => {
    const { fake, ex } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: '503', endpoint: 'POST /api/v3/order' });
    fake.faults.inject({ kind: 'reset', endpoint: 'POST /api/v3/order' });
    const o = await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 59_000, clientOrderId: 'tbRetry1' });
    expect(o.status).toBe('open');
    expect(calls(fake, 'POST /api/v3/order')).toBe(3);
    expect(calls(fake, 'GET /api/v3/order')).toBe(2); // one lookup before each resend
    expect(fake.state.ordersCreatedByClientOrderId.get('tbRetry1')).toBe(1);
  });

  it('a 429 on create is retried without a lookup (the exchange did not process it)', async () => {
    const { fake, ex } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: '429', endpoint: 'POST /api/v3/order', retryAfterSec: 1 });
    await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 59_000, clientOrderId: 'tb429' });
    expect(calls(fake, 'POST /api/v3/order')).toBe(2);
    expect(calls(fake, 'GET /api/v3/order')).toBe(0);
    expect(fake.state.ordersCreatedByClientOrderId.get('tb429')).toBe(1);
  });

  it('when the exchange stays unreachable after a lost response: OrderOutcomeUnknownError, never a resend', async () => {
    const { fake, ex } = await rig();
    await ex.loadMarkets();
    fake.faults.inject({ kind: 'lost-response', endpoint: 'POST /api/v3/order' });
    fake.faults.inject({ kind: 'reset', endpoint: 'GET /api/v3/order', times: 100 });
    const err = await rejection(ex.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'tbDark1' }));
    expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(err.code).toBe('EXCHANGE_ORDER_OUTCOME_UNKNOWN');
    expect((err as OrderOutcomeUnknownError).clientOrderId).toBe('tbDark1');
    expect(calls(fake, 'POST /api/v3/order')).toBe(1);
    expect(fake.state.ordersCreatedByClientOrderId.get('tbDark1')).toBe(1);
    // later, the reconciler finds it
    fake.faults.clear();
    expect(await ex.fetchOrderByClientId('BTC/USDT', 'tbDark1')).toMatchObject({ status: 'closed', filled: 0.01 });
  });

  it('a duplicate clientOrderId (-2010 "Duplicate order sent.") adopts the existing order', async () => {
    const { fake, ex } = await rig();
    const first = await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 59_000, clientOrderId: 'tbDup1' });
    const second = await ex.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 59_000, clientOrderId: 'tbDup1' });
    expect(second.id).toBe(first.id);
    expect(fake.state.createAttemptsByClientOrderId.get('tbDup1')).toBe(2);
    expect(fake.state.ordersCreatedByClientOrderId.get('tbDup1')).toBe(1);
  });

  it('random chaos on every endpoint: 40 orders, each created exactly once, no secret in any log', async () => {
    const { fake, ex, logs } = await rig({}, { timeoutMs: 200, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 } });
    await ex.loadMarkets();
    fake.faults.setRandom({ probability: 0.3, kinds: ['429', '500', '503', 'reset', 'timeout', 'lost-response', 'lost-response-timeout'], seed: 7, retryAfterSec: 0 });
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const cid = `tbChaos${i}`;
      try {
        // market orders fill at once: Binance would accept a resent copy (its duplicate check covers open orders only)
        const o = await ex.createOrder(
          i % 2 === 0
            ? { symbol: 'ETH/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: cid }
            : { symbol: 'ETH/USDT', type: 'limit', side: 'buy', amount: 0.01, price: 2_000 + i, clientOrderId: cid },
        );
        outcomes.push(o.status);
      } catch (e) {
        expect(e).toBeInstanceOf(OrderOutcomeUnknownError);
        outcomes.push('unknown');
      }
    }
    fake.faults.setRandom(null);
    for (let i = 0; i < 40; i++) expect(fake.state.ordersCreatedByClientOrderId.get(`tbChaos${i}`) ?? 0).toBeLessThanOrEqual(1);
    outcomes.forEach((status, i) => {
      const n = fake.state.ordersCreatedByClientOrderId.get(`tbChaos${i}`) ?? 0;
      if (status === 'unknown') expect(n).toBeLessThanOrEqual(1);
      else expect(n).toBe(1);
    });
    expect(outcomes.filter((s) => s !== 'unknown').length).toBeGreaterThan(30);
    // ETH bought = 0.01 per created order (market ones filled), never more
    const filledMarket = [...Array(40).keys()].filter((i) => i % 2 === 0 && (fake.state.ordersCreatedByClientOrderId.get(`tbChaos${i}`) ?? 0) === 1).length;
    expect(fake.state.trades.filter((t) => t.symbol === 'ETHUSDT').length).toBe(filledMarket);
    expect(fake.faults.injected.size).toBeGreaterThan(3);
    const text = logs.join('\n');
    expect(text).not.toContain(fake.secret);
    expect(text).not.toContain(fake.apiKey);
  });
});
