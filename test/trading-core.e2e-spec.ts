import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { OrdersReconciler } from '@tb/orders';
import { EventRelayService, StreamConsumer, type DomainEvent } from '@tb/events';
import { REDIS } from '@tb/redis';
import type Redis from 'ioredis';
import { recomputePosition } from '@tb/positions';
import { createIsolatedDatabase } from './support/isolated-db';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { LogCapture } from './support/log-capture';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { startFakeBinance, type FakeBinance } from './support/fake-exchange/fake-binance.server';

describe('trading core over HTTP: accounts, OMS, positions, events (real ccxt against a local Binance)', () => {
  let app: HttpApp;
  let fake: FakeBinance;
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let alice: TestUser;
  let bob: TestUser;
  let accountId: string;
  const logs = new LogCapture();
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // a database of its own: the reconciler runs over every unresolved order, not only this file's
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'tradingcore');
    fake = await startFakeBinance({ balances: { USDT: 100_000, BTC: 2 }, prices: { BTCUSDT: 60_000, ETHUSDT: 3_000 } });
    app = await createHttpTestApp({
      module: class Root {},
      imports: [
        logs.module(),
        HyperrsiApiModule.forRoot({
          env: testEnv({
            LOG_LEVEL: 'debug',
            DATABASE_URL: db.url,
            EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls }),
            EXCHANGE_RATE_LIMIT_MS: '1',
            OMS_PENDING_GRACE_MS: '1000',
            THROTTLE_ORDERS_PER_MIN: '1000',
          }),
        }),
      ],
    });
    ds = app.get(DataSource);
    alice = await createUserAndLogin(app);
    bob = await createUserAndLogin(app);
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.drop();
  });

  it('adds an exchange account; secrets are encrypted at rest and never returned', async () => {
    const res = await http()
      .post('/api/exchange-accounts')
      .set('Authorization', bearer(alice))
      .send({ exchange: 'binance', label: 'main', apiKey: fake.apiKey, secret: fake.secret });
    expect(res.status).toBe(201);
    accountId = res.body.id;
    expect(JSON.stringify(res.body)).not.toContain(fake.secret);
    expect(JSON.stringify(res.body)).not.toContain(fake.apiKey);
    expect(res.body.apiKeyHint).toBe(`…${fake.apiKey.slice(-4)}`);
    const [row] = await ds.query('SELECT api_key_enc, secret_enc, key_id FROM exchange_accounts WHERE id = $1', [accountId]);
    expect(row.secret_enc).not.toContain(fake.secret);
    expect(row.api_key_enc).not.toContain(fake.apiKey);
    expect(row.secret_enc).toMatch(/^v1:k1:/);
    const list = await http().get('/api/exchange-accounts').set('Authorization', bearer(alice));
    expect(list.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([accountId]);
    expect(JSON.stringify(list.body)).not.toContain(fake.secret);
  });

  it('tests the connection with the stored keys through the real ccxt client', async () => {
    const res = await http().post(`/api/exchange-accounts/${accountId}/test`).set('Authorization', bearer(alice));
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.assets).toEqual(expect.arrayContaining(['USDT', 'BTC']));
  });

  it('rejects bad order input with 400 per field, and writes nothing', async () => {
    const res = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'btc-usdt', type: 'limit', side: 'hold', amount: -1 });
    expect(res.status).toBe(400);
    const fields = (res.body.error.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['amount', 'price', 'side', 'symbol']));
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [alice.userId]);
    expect(n).toBe(0);
  });

  it('refuses a below-minimum order before sending, with a clear error', async () => {
    const before = fake.state.requests.filter((r) => r.path.endsWith('/order') && r.method === 'POST').length;
    const res = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.00005, price: 50_000 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('ORDER_BELOW_MINIMUM');
    expect(res.body.error.message).toMatch(/min/i);
    const after = fake.state.requests.filter((r) => r.path.endsWith('/order') && r.method === 'POST').length;
    expect(after).toBe(before);
  });

  let limitOrderId: string;
  it('places a limit order rounded to the market precision; it rests OPEN', async () => {
    const res = await http()
      .post('/api/orders')
      .set('Authorization', bearer(alice))
      .send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.0123456, price: 59_000.129, clientKey: 'limit-1' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('OPEN');
    limitOrderId = res.body.id;
    const sent = fake.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/order')).at(-1)!;
    expect(sent.params.quantity).toBe('0.01234'); // truncated to stepSize 0.00001
    expect(sent.params.price).toBe('59000.13'); // rounded to tickSize 0.01
    expect(sent.params.newClientOrderId).toBe(res.body.clientOrderId);
    expect(res.body.amount).toBe('0.01234');
  });

  it('the same clientKey again never creates a second exchange order', async () => {
    const res = await http()
      .post('/api/orders')
      .set('Authorization', bearer(alice))
      .send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.0123456, price: 59_000.129, clientKey: 'limit-1' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(limitOrderId);
    const cid = res.body.clientOrderId as string;
    expect(fake.state.ordersCreatedByClientOrderId.get(cid)).toBe(1);
  });

  it('partial fill then full fill are picked up by the reconciler: fills once, position derived', async () => {
    const { body: order } = await http().get(`/api/orders/${limitOrderId}`).set('Authorization', bearer(alice));
    fake.state.fillOrder(order.clientOrderId, 0.004);
    const reconciler = app.get(OrdersReconciler);
    await reconciler.reconcile();
    let detail = (await http().get(`/api/orders/${limitOrderId}`).set('Authorization', bearer(alice))).body;
    expect(detail.status).toBe('PARTIALLY_FILLED');
    expect(detail.fills).toHaveLength(1);
    await reconciler.reconcile(); // running again changes nothing
    detail = (await http().get(`/api/orders/${limitOrderId}`).set('Authorization', bearer(alice))).body;
    expect(detail.fills).toHaveLength(1);
    fake.state.fillOrder(order.clientOrderId);
    await reconciler.reconcile();
    detail = (await http().get(`/api/orders/${limitOrderId}`).set('Authorization', bearer(alice))).body;
    expect(detail.status).toBe('FILLED');
    expect(detail.fills).toHaveLength(2);
    expect(Number(detail.filled)).toBeCloseTo(0.01234, 12);

    const positions = (await http().get('/api/positions').set('Authorization', bearer(alice))).body;
    expect(positions.items).toHaveLength(1);
    const pos = positions.items[0];
    const trades = fake.state.trades.filter((t) => t.clientOrderId === order.clientOrderId);
    const expected = recomputePosition(trades.map((t) => ({ side: 'buy', positionSide: 'long', amount: t.qty, price: t.price, feeQuote: t.commissionAsset === 'USDT' ? t.commission : t.commission * t.price })));
    expect(pos.size).toBe(expected.size);
    expect(pos.averageEntry).toBe(expected.averageEntry);
  });

  it('a market order fills at once; a partial close realizes PnL from the exchange prices', async () => {
    const buy = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, referencePrice: 60_000 });
    expect(buy.status).toBe(201);
    expect(buy.body.status).toBe('FILLED');
    fake.state.setPrice('BTCUSDT', 61_000);
    const positions = (await http().get('/api/positions').set('Authorization', bearer(alice))).body;
    const pos = positions.items[0];
    const close = await http().post(`/api/positions/${pos.id}/close`).set('Authorization', bearer(alice)).send({ fraction: 0.5 });
    expect(close.status).toBe(201);
    expect(close.body.status).toBe('FILLED');
    expect(close.body.side).toBe('sell');
    const after = (await http().get(`/api/positions/${pos.id}`).set('Authorization', bearer(alice))).body;
    // realized = (61000 - avg) * closed amount, computed independently from the exchange's own trades
    const avg = Number(pos.averageEntry);
    const closed = Number(close.body.filled);
    expect(Number(after.realizedPnl)).toBeCloseTo((61_000 - avg) * closed, 6);
    expect(Number(after.size)).toBeCloseTo(Number(pos.size) - closed, 10);
    expect(Number(after.unrealizedPnl)).toBeCloseTo((61_000 - avg) * Number(after.size), 6);
  });

  it('cancel and cancel-all', async () => {
    const a = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 40_000 });
    const b = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 41_000 });
    const c = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 42_000 });
    const cancel = await http().delete(`/api/orders/${a.body.id}`).set('Authorization', bearer(alice));
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('CANCELED');
    const again = await http().delete(`/api/orders/${a.body.id}`).set('Authorization', bearer(alice));
    expect(again.status).toBe(409);
    const all = await http().post('/api/orders/cancel-all').set('Authorization', bearer(alice)).send({ accountId, symbol: 'BTC/USDT' });
    expect(all.status).toBe(200);
    expect(all.body.canceled.map((o: { id: string }) => o.id).sort()).toEqual([b.body.id, c.body.id].sort());
    expect(fake.state.openOrders('BTCUSDT')).toHaveLength(0);
  });

  it("user B gets 404 for each of user A's orders, positions and accounts", async () => {
    const orders = (await http().get('/api/orders').set('Authorization', bearer(alice))).body.items as Array<{ id: string }>;
    const positions = (await http().get('/api/positions?status=all').set('Authorization', bearer(alice))).body.items as Array<{ id: string }>;
    expect(orders.length).toBeGreaterThan(0);
    expect(positions.length).toBeGreaterThan(0);
    for (const o of orders) {
      expect((await http().get(`/api/orders/${o.id}`).set('Authorization', bearer(bob))).status).toBe(404);
      expect((await http().delete(`/api/orders/${o.id}`).set('Authorization', bearer(bob))).status).toBe(404);
    }
    for (const p of positions) {
      expect((await http().get(`/api/positions/${p.id}`).set('Authorization', bearer(bob))).status).toBe(404);
      expect((await http().post(`/api/positions/${p.id}/close`).set('Authorization', bearer(bob)).send({})).status).toBe(404);
    }
    expect((await http().get(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(bob))).status).toBe(404);
    expect((await http().post(`/api/exchange-accounts/${accountId}/test`).set('Authorization', bearer(bob))).status).toBe(404);
    expect((await http().get(`/api/exchange-accounts/${accountId}/balance`).set('Authorization', bearer(bob))).status).toBe(404);
    expect((await http().post('/api/orders').set('Authorization', bearer(bob)).send({ accountId, symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.001 })).status).toBe(404);
    expect((await http().get('/api/orders').set('Authorization', bearer(bob))).body.total).toBe(0);
  });

  it('events: the outbox is relayed to Redis Streams; a consumer group gets each event once', async () => {
    const relay = app.get(EventRelayService);
    const published = await relay.flush();
    expect(published).toBeGreaterThan(0);
    const redis = app.get<Redis>(REDIS).duplicate();
    const seen: DomainEvent[] = [];
    const consumer = new StreamConsumer({ redis, prefix: (testEnv().REDIS_KEY_PREFIX as string), group: 'test-notifications', consumer: 'c1', handle: async (e) => void seen.push(e), blockMs: 100 });
    await consumer.ensureGroup();
    await consumer.pollOnce(100);
    const types = seen.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['order.filled', 'order.canceled', 'position.opened']));
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length);
    // republishing the same outbox rows (as after a relay crash) is deduplicated by event id
    await ds.query('UPDATE event_outbox SET published_at = NULL');
    await relay.flush();
    const before = seen.length;
    await consumer.pollOnce(100);
    expect(seen.length).toBe(before);
    await redis.quit();
  });

  it('paper accounts trade through the same API and OMS (paper exchange priced by the public ticker)', async () => {
    const acc = await http().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'paper-1', paperBalances: { USDT: '5000' } });
    expect(acc.status).toBe(201);
    fake.state.setPrice('BTCUSDT', 50_000);
    const buy = await http().post('/api/orders').set('Authorization', bearer(alice)).send({ accountId: acc.body.id, symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01 });
    expect(buy.status).toBe(201);
    expect(buy.body.status).toBe('FILLED');
    expect(buy.body.exchange).toBe('paper');
    const bal = await http().get(`/api/exchange-accounts/${acc.body.id}/balance`).set('Authorization', bearer(alice));
    const usdt = (bal.body.assets as Array<{ currency: string; total: number }>).find((a) => a.currency === 'USDT')!;
    // 5000 - 0.01 * 50000 * (1 + slippage) - taker fee: strictly less than 4500 and more than 4490
    expect(usdt.total).toBeLessThan(4500);
    expect(usdt.total).toBeGreaterThan(4490);
    const positions = (await http().get(`/api/positions?accountId=${acc.body.id}`).set('Authorization', bearer(alice))).body.items;
    expect(positions).toHaveLength(1);
    expect(positions[0].size).toBe('0.01');
    // another user's paper account is invisible
    expect((await http().get(`/api/exchange-accounts/${acc.body.id}/balance`).set('Authorization', bearer(bob))).status).toBe(404);
  });

  it('no secret ever appears in any log line', () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(fake.secret);
    expect(text).not.toContain(fake.apiKey);
    expect(text).not.toContain(alice.password);
  });
});
