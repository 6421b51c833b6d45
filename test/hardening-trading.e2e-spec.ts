import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOrderIdFromKey } from '@tb/exchange';
import { OrdersReconciler } from '@tb/orders';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { createHttpTestApp } from './support/http-app';
import { createIsolatedDatabase } from './support/isolated-db';
import { LogCapture } from './support/log-capture';
import { testEnv } from './support/test-env';
import { startFakeBinance, type FakeBinance } from './support/fake-exchange/fake-binance.server';

/**
 * Issue 13, items 3 and 4: a removed exchange account never trades again, and exchange outages answer 503/429 with
 * clear codes; an order the exchange does not take ends REJECTED with a readable reason after a bounded number of
 * send attempts. The exchange is the local fake Binance (ccxt talks HTTP to it); everything else is real.
 */
const MAX_SEND_ATTEMPTS = 2;

const isErrorShape = (body: unknown): boolean => {
  const e = (body as { error?: Record<string, unknown> }).error;
  return !!e && ['request_id', 'code', 'message', 'details', 'path', 'timestamp'].every((k) => k in e);
};

describe('hardening: removed accounts and exchange outages', () => {
  let app: HttpApp;
  let fake: FakeBinance;
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let alice: TestUser;
  const logs = new LogCapture();
  const http = () => request(app.getHttpServer());
  const postsOf = (cid: string): number => fake.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && r.params.newClientOrderId === cid).length;
  const callsFor = (cid: string): number => fake.state.requests.filter((r) => r.params.newClientOrderId === cid || r.params.origClientOrderId === cid).length;

  const addAccount = async (label: string): Promise<string> => {
    const res = await http().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'binance', label, apiKey: fake.apiKey, secret: fake.secret });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const order = (accountId: string, clientKey: string, extra: Record<string, unknown> = {}) =>
    http()
      .post('/api/orders')
      .set('Authorization', bearer(alice))
      .send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.01, price: 50_000, clientKey, ...extra });
  /** The reconciler sees PENDING orders only after the grace period: age them instead of waiting. */
  const age = (orderId: string) => ds.query(`UPDATE orders SET updated_at = now() - interval '1 hour' WHERE id = $1`, [orderId]);

  beforeAll(async () => {
    // a database of its own: the reconciler runs over every unresolved order, and the run's shared database holds the
    // other files' (bots with thousands of orders on unreachable exchanges)
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'hardening');
    fake = await startFakeBinance({ balances: { USDT: 100_000, BTC: 2 }, prices: { BTCUSDT: 60_000, ETHUSDT: 3_000 } });
    app = await createHttpTestApp({
      module: class Root {},
      imports: [
        logs.module(),
        HyperrsiApiModule.forRoot({
          env: testEnv({
            DATABASE_URL: db.url,
            EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls }),
            EXCHANGE_RATE_LIMIT_MS: '1',
            OMS_PENDING_GRACE_MS: '1000',
            OMS_MAX_SEND_ATTEMPTS: String(MAX_SEND_ATTEMPTS),
            THROTTLE_ORDERS_PER_MIN: '1000',
          }),
        }),
      ],
    });
    ds = app.get(DataSource);
    alice = await createUserAndLogin(app);
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.drop();
  });

  it('DELETE of an account with an open order is refused with 409 ACCOUNT_IN_USE; once the order is canceled, it is removed', async () => {
    const accountId = await addAccount('in-use');
    const placed = await order(accountId, 'in-use-1');
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('OPEN');

    const refused = await http().delete(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(alice));
    expect(refused.status).toBe(409);
    expect(isErrorShape(refused.body)).toBe(true);
    expect(refused.body.error.code).toBe('ACCOUNT_IN_USE');
    expect(refused.body.error.details.blockers).toEqual([{ kind: 'unresolved orders', count: 1 }]);
    // still there, still usable
    expect((await http().get(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(alice))).status).toBe(200);

    const canceled = await http().delete(`/api/orders/${placed.body.id}`).set('Authorization', bearer(alice));
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('CANCELED');
    expect((await http().delete(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(alice))).status).toBe(204);
    expect((await http().get(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(alice))).status).toBe(404);
    // soft delete: the order history keeps its account
    const [row] = (await ds.query('SELECT deleted_at FROM exchange_accounts WHERE id = $1', [accountId])) as Array<{ deleted_at: Date | null }>;
    expect(row.deleted_at).not.toBeNull();
    expect((await http().get(`/api/orders/${placed.body.id}`).set('Authorization', bearer(alice))).status).toBe(200);
  });

  it('the reconciler never contacts the exchange for an order of a removed account, and closes it with a reason', async () => {
    const accountId = await addAccount('orphan');
    // the exchange refuses the first send (rate limited, for longer than the adapter waits): the order stays PENDING
    fake.faults.inject({ kind: '429', endpoint: 'POST /api/v3/order', times: 1, retryAfterSec: 60 });
    const placed = await order(accountId, 'orphan-1');
    expect(placed.status).toBe(429);
    const orderId = placed.body.error.details.orderId as string;
    const cid = clientOrderIdFromKey(`manual:${alice.userId}:orphan-1`);
    expect(postsOf(cid)).toBe(1);
    // removed as it could be before the 409 existed (or racing the removal)
    await ds.query('UPDATE exchange_accounts SET deleted_at = now() WHERE id = $1', [accountId]);
    await age(orderId);
    const before = callsFor(cid);

    const report = await app.get(OrdersReconciler).reconcile();
    expect(report.orphaned).toBeGreaterThanOrEqual(1);
    expect(callsFor(cid)).toBe(before); // neither resent nor looked up with the removed credentials
    const [row] = (await ds.query('SELECT status, reject_reason FROM orders WHERE id = $1', [orderId])) as Array<{ status: string; reject_reason: string | null }>;
    expect(row.status).toBe('REJECTED');
    expect(row.reject_reason).toMatch(/exchange account was removed/);
  });

  it('an unreachable exchange answers 503 EXCHANGE_UNAVAILABLE (balance and orders), not 500', async () => {
    const accountId = await addAccount('outage');
    fake.faults.inject({ kind: '503', endpoint: 'GET /api/v3/account', times: 10 });
    const bal = await http().get(`/api/exchange-accounts/${accountId}/balance`).set('Authorization', bearer(alice));
    expect(bal.status).toBe(503);
    expect(isErrorShape(bal.body)).toBe(true);
    expect(bal.body.error.code).toBe('EXCHANGE_UNAVAILABLE');
    fake.faults.clear();

    // the markets cannot load: nothing is written, the caller is told to retry
    const fresh = await addAccount('outage-markets');
    fake.faults.inject({ kind: '503', endpoint: /exchangeInfo/, times: 10 });
    const placed = await order(fresh, 'outage-1');
    expect(placed.status).toBe(503);
    expect(isErrorShape(placed.body)).toBe(true);
    expect(placed.body.error.code).toBe('EXCHANGE_UNAVAILABLE');
    fake.faults.clear();
  });

  it('a rate limit answers 429 with Retry-After', async () => {
    const accountId = await addAccount('limited');
    fake.faults.inject({ kind: '429', endpoint: 'GET /api/v3/account', times: 1, retryAfterSec: 60 });
    const bal = await http().get(`/api/exchange-accounts/${accountId}/balance`).set('Authorization', bearer(alice));
    expect(bal.status).toBe(429);
    expect(isErrorShape(bal.body)).toBe(true);
    expect(bal.body.error.code).toBe('EXCHANGE_RATE_LIMITED');
    expect(Number(bal.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    fake.faults.clear();
  });

  it('an order the exchange does not take is answered clearly, retried a bounded number of times, then REJECTED with a reason', async () => {
    const accountId = await addAccount('bounded');
    fake.faults.inject({ kind: '429', endpoint: 'POST /api/v3/order', times: 100, retryAfterSec: 60 });
    const placed = await order(accountId, 'bounded-1');
    expect(placed.status).toBe(429);
    expect(placed.headers['retry-after']).toBe('60');
    expect(placed.body.error.details).toMatchObject({ status: 'PENDING', sendAttempts: 1, maxSendAttempts: MAX_SEND_ATTEMPTS });
    const orderId = placed.body.error.details.orderId as string;
    const cid = clientOrderIdFromKey(`manual:${alice.userId}:bounded-1`);

    for (let i = 0; i < 3; i++) {
      await age(orderId);
      await app.get(OrdersReconciler).reconcile();
    }
    expect(postsOf(cid)).toBe(MAX_SEND_ATTEMPTS); // the first send and one resend, then no more
    const got = await http().get(`/api/orders/${orderId}`).set('Authorization', bearer(alice));
    expect(got.status).toBe(200);
    const o = (got.body.order ?? got.body) as { status: string; rejectReason: string | null };
    expect(o.status).toBe('REJECTED');
    expect(o.rejectReason).toMatch(new RegExp(`after ${MAX_SEND_ATTEMPTS} send attempt`));
    expect(o.rejectReason).toMatch(/EXCHANGE_RATE_LIMITED/);
    fake.faults.clear();
  });

  it('a paper order whose price feed is unreachable is answered 503, then ends REJECTED with a readable reason', async () => {
    const acc = await http().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'paper-dark', paperBalances: { USDT: '5000' } });
    expect(acc.status).toBe(201);
    fake.faults.inject({ kind: '503', endpoint: /ticker/, times: 10_000 });
    const placed = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId: acc.body.id, symbol: 'ETH/USDT', type: 'market', side: 'buy', amount: 0.1 });
    expect(placed.status).toBe(503);
    expect(isErrorShape(placed.body)).toBe(true);
    expect(placed.body.error.code).toBe('EXCHANGE_UNAVAILABLE');
    const orderId = placed.body.error.details.orderId as string;
    for (let i = 0; i < 3; i++) {
      await age(orderId);
      await app.get(OrdersReconciler).reconcile();
    }
    const got = await http().get(`/api/orders/${orderId}`).set('Authorization', bearer(alice));
    const o = (got.body.order ?? got.body) as { status: string; rejectReason: string | null; sendAttempts?: number };
    expect(o.status).toBe('REJECTED');
    expect(o.rejectReason).toMatch(new RegExp(`after ${MAX_SEND_ATTEMPTS} send attempt`));
    expect(o.rejectReason).toMatch(/EXCHANGE_UNAVAILABLE/);
    fake.faults.clear();
  });
});
