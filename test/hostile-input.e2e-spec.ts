import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * Each hostile input that used to answer 500 (a stack overflow, an unmapped zlib error, PostgreSQL refusing a NUL
 * byte or a bigint offset) now answers 4xx in the standard error shape, and nothing is stored.
 */
describe('hostile input: 4xx in the standard shape, never 500, nothing stored', () => {
  let app: HttpApp;
  let ds: DataSource;
  let trader: TestUser;
  let admin: TestUser;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv({ THROTTLE_LOGIN_PER_MIN: '1000' }) }));
    ds = app.get(DataSource);
    trader = await createUserAndLogin(app);
    admin = await createUserAndLogin(app, { role: 'admin' });
  });
  afterAll(async () => app?.close());

  const expectShape = (res: request.Response, status: number, code?: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
    if (code) expect(res.body.error.code).toBe(code);
  };
  const nested = (levels: number) => `{"email":${'['.repeat(levels)}1${']'.repeat(levels)}}`;

  it.each([2_000, 3_000, 5_000, 100_000])('JSON nested %i levels deep: 400 before parsing', async (levels) => {
    for (const path of ['/api/auth/login', '/api/exchange-accounts', '/api/orders', '/api/backtests']) {
      const res = await http().post(path).set('Authorization', bearer(trader)).set('Content-Type', 'application/json').send(nested(levels));
      expectShape(res, 400, 'BAD_REQUEST');
      expect(res.body.error.message).toMatch(/nested deeper than 32/);
    }
  });

  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['deflate', Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3])],
    ['br', Buffer.from('garbage-brotli-garbage')],
  ])('Content-Encoding: %s with a garbage body: 400', async (encoding, body) => {
    const res = await http().post('/api/auth/login').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(body);
    expectShape(res, 400, 'BAD_REQUEST');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('a well-formed %s body is still accepted (and its depth still checked)', async (encoding, zip) => {
    // raw bytes through fetch: supertest would re-serialise a Buffer as JSON
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/login`;
    const post = (body: Buffer) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
    const ok = await post(zip(JSON.stringify({ email: trader.email, password: trader.password })));
    expect(ok.status).toBe(200);
    const deep = await post(zip(nested(5_000)));
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: { message: string } }).error.message).toMatch(/nested deeper than 32/);
  });

  it('a lone surrogate in an email: 400 on login and on POST /api/users, no user stored', async () => {
    const body = '{"email":"a\\ud800@example.com","password":"whatever-password-1"}';
    const login = await http().post('/api/auth/login').set('Content-Type', 'application/json').send(body);
    expectShape(login, 400, 'VALIDATION_FAILED');
    const create = await http().post('/api/users').set('Authorization', bearer(admin)).set('Content-Type', 'application/json').send(body);
    expectShape(create, 400, 'VALIDATION_FAILED');
    expect(create.body.error.details).toEqual([{ field: 'email', messages: [expect.stringMatching(/lone surrogates/)] }]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'a%@example.com'`);
    expect(n).toBe(0);
  });

  it.each(['/api/orders', '/api/positions'])('%s?offset=99999999999999999999: 400 with the offset field named', async (path) => {
    const res = await http().get(`${path}?offset=99999999999999999999`).set('Authorization', bearer(trader));
    expectShape(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['offset']);
    const ok = await http().get(`${path}?offset=1000000&limit=1`).set('Authorization', bearer(trader));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('a NUL byte in an API-key name, an account label, a paperBalances key or a query string: 400, nothing stored', async () => {
    const key = await http().post('/api/auth/api-keys').set('Authorization', bearer(trader)).send({ name: 'bad\u0000name', scopes: ['read'] });
    expectShape(key, 400, 'VALIDATION_FAILED');
    expect(key.body.error.details[0].field).toBe('name');
    const label = await http().post('/api/exchange-accounts').set('Authorization', bearer(trader)).send({ exchange: 'paper', label: 'nul\u0000label' });
    expectShape(label, 400, 'VALIDATION_FAILED');
    const balances = await http()
      .post('/api/exchange-accounts')
      .set('Authorization', bearer(trader))
      .send({ exchange: 'paper', label: 'nul-key', paperBalances: { 'US\u0000DT': '10' } });
    expectShape(balances, 400, 'VALIDATION_FAILED');
    expect(balances.body.error.details[0].field).toBe('paperBalances.US\u0000DT');
    const query = await http().get('/api/orders?botId=a%00b').set('Authorization', bearer(trader));
    expectShape(query, 400, 'VALIDATION_FAILED');
    const [{ keys }] = await ds.query('SELECT count(*)::int AS keys FROM api_keys WHERE user_id = $1', [trader.userId]);
    const [{ accounts }] = await ds.query('SELECT count(*)::int AS accounts FROM exchange_accounts WHERE user_id = $1', [trader.userId]);
    expect([keys, accounts]).toEqual([0, 0]);
  });

  it.each([
    ['an empty currency code', { '': '100' }],
    ['5,000 currencies', Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`C${i}`, '1']))],
    ['a balance of 1e308', { USDT: '1' + '0'.repeat(308) }],
    ['a lower-case or odd code', { 'usdt ': '1' }],
  ])('paperBalances with %s: 400, nothing stored', async (_what, paperBalances) => {
    const res = await http().post('/api/exchange-accounts').set('Authorization', bearer(trader)).send({ exchange: 'paper', label: `p-${Math.random()}`, paperBalances });
    expectShape(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details[0].field).toBe('paperBalances');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM exchange_accounts WHERE user_id = $1', [trader.userId]);
    expect(n).toBe(0);
  });

  it('a limit price of 1e308 (and amounts/triggers beyond 1e15) are refused before anything is written', async () => {
    const base = { accountId: '00000000-0000-4000-8000-000000000000', symbol: 'BTC/USDT', side: 'buy' };
    for (const body of [
      { ...base, type: 'limit', amount: 1, price: 1e308 },
      { ...base, type: 'limit', amount: 1e308, price: 1 },
      { ...base, type: 'stop_market', amount: 1, triggerPrice: 1e16 },
    ]) {
      const res = await http().post('/api/orders').set('Authorization', bearer(trader)).send(body);
      expectShape(res, 400, 'VALIDATION_FAILED');
    }
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [trader.userId]);
    expect(n).toBe(0);
  });

  it('a backtest tickSize of 1e-30 (or amountStep) is refused', async () => {
    for (const field of ['tickSize', 'amountStep']) {
      const res = await http()
        .post('/api/backtests/run')
        .set('Authorization', bearer(trader))
        .send({ strategy: 'hyperrsi', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z', [field]: 1e-30 });
      expectShape(res, 400, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
  });
});
