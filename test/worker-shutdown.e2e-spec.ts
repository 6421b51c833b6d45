import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOrderIdFromKey } from '@tb/exchange';
import { testEnv } from './support/test-env';
import { createIsolatedDatabase } from './support/isolated-db';
import { createOmsContext, seedTrader } from './support/chaos/oms-context';
import { startFakeBinance, type FakeBinance } from './support/fake-exchange/fake-binance.server';
import { freePort, runScript } from './support/processes';

/**
 * Issue 13 item 6: SIGTERM the built worker while its reconciler is working through unresolved orders. The schedules
 * stop, the run in flight finishes its current order, and only then do the pools close: no "Connection terminated"
 * or "Driver not Connected" in the worker's logs, no order whose reconcile failed, exit code 0.
 */
const ORDERS = 40;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('worker graceful shutdown', () => {
  let db: { url: string; drop: () => Promise<void> };
  let fake: FakeBinance;

  beforeAll(async () => {
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'shutdown');
    // every exchange answer takes 150 ms: a reconcile of 40 orders lasts several seconds
    fake = await startFakeBinance({ balances: { USDT: 1_000_000, BTC: 10 }, prices: { BTCUSDT: 60_000 }, latencyMs: 150 });
    const ctx = await createOmsContext(testEnv({ DATABASE_URL: db.url }));
    try {
      const trader = await seedTrader(ctx, fake.apiKey, fake.secret);
      const ds = ctx.get(DataSource);
      const tag = randomBytes(3).toString('hex');
      for (let i = 0; i < ORDERS; i++) {
        const key = `shutdown:${tag}:${i}`;
        await ds.query(
          `INSERT INTO orders (user_id, account_id, intent_key, client_order_id, exchange, symbol, type, side, position_side, amount, price, status, updated_at)
           VALUES ($1, $2, $3, $4, 'binance', 'BTC/USDT', 'limit', 'buy', 'long', '0.001', '50000', 'PENDING', now() - interval '1 hour')`,
          [trader.userId, trader.accountId, key, clientOrderIdFromKey(key)],
        );
      }
    } finally {
      await ctx.close();
    }
  });

  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('SIGTERM during a reconcile run: the run is awaited before the pools close', async () => {
    const proc = runScript(
      'start:worker',
      testEnv({
        DATABASE_URL: db.url,
        REDIS_KEY_PREFIX: `${inject('redisPrefix')}-shutdown`,
        WORKER_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
        EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls }),
        EXCHANGE_RATE_LIMIT_MS: '1',
        OMS_PENDING_GRACE_MS: '1000',
        SHUTDOWN_TIMEOUT_MS: '30000',
        DB_POOL_TIMEOUT_MS: '20000', // a loaded CI machine must not fail a query for a busy pool
      }),
    );
    try {
      // wait until the boot reconcile is looking orders up on the exchange, then stop the worker mid-run
      const lookups = () => fake.state.requests.filter((r) => r.path === '/api/v3/order' && r.params.origClientOrderId).length;
      const deadline = Date.now() + 60_000;
      while (lookups() < 2 && Date.now() < deadline && proc.child.exitCode === null) await sleep(50);
      expect(lookups()).toBeGreaterThanOrEqual(2);
      proc.child.kill('SIGTERM');
      const exit = await Promise.race([proc.exited, sleep(40_000).then(() => null)]);
      const out = proc.output();
      expect(exit, out.slice(-3000)).toEqual({ code: 0, signal: null });
      expect(out).not.toMatch(/Connection terminated/i);
      expect(out).not.toMatch(/Driver not Connected/i);
      expect(out).not.toMatch(/reconcile failed for order/);
      expect(out).not.toMatch(/scheduled run failed/);
      // it really was mid-run: the run stopped before the last order
      expect(lookups()).toBeLessThan(ORDERS);
      // ... and it ended (its report is logged) instead of dying with the process
      expect(out).toMatch(/reconciled orders/);
      // every order the exchange received during the run was recorded: none is left PENDING after a send
      const sent = [...new Set(fake.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').map((r) => r.params.newClientOrderId))];
      expect(sent.length).toBeGreaterThan(0);
      const ds = new DataSource({ type: 'postgres', url: db.url });
      await ds.initialize();
      try {
        const rows = (await ds.query('SELECT client_order_id, status FROM orders WHERE client_order_id = ANY($1)', [sent])) as Array<{ client_order_id: string; status: string }>;
        expect(rows.filter((r) => r.status === 'PENDING')).toEqual([]);
        expect(rows).toHaveLength(sent.length);
      } finally {
        await ds.destroy();
      }
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 120_000);
});
