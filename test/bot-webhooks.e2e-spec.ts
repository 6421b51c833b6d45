import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BotsProcessor } from '../apps/worker/src/bots/bots.processor';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { expectError } from './support/error-shape';
import { registerSecret } from './support/log-capture';
import { REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF } from './support/bots';

/**
 * Signal webhooks on the built apps and worker (docs/adr/0018-trader-commands.md): a bot's webhook token is shown once
 * and stored hashed (never logged: it is registered as a secret, the log check fails the file otherwise); an alert
 * opens a position once; the same alert replayed, a wrong or revoked token, a malformed body, the other app: no order,
 * a clear 4xx; alerts are rate-limited per webhook. Counts are scoped to this file's bots.
 */

const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LIMIT = 30; // alerts per webhook per minute in this file (THROTTLE_ORDERS_PER_MIN)

describe('signal webhooks: /api/{hyperrsi|grid}/bots/:id/webhooks and /api/{hyperrsi|grid}/webhooks/:token', () => {
  let api: HttpApp;
  let grid: HttpApp;
  let worker: HttpApp;
  let ds: DataSource;
  let alice: TestUser;
  let bob: TestUser;
  const H = () => request(api.getHttpServer());
  const G = () => request(grid.getHttpServer());

  const ordersOf = async (botId: string): Promise<Array<{ tag: string; intent_key: string; status: string }>> =>
    ds.query('SELECT tag, intent_key, status FROM orders WHERE bot_id = $1 ORDER BY created_at', [botId]);

  /** A HYPERRSI replay bot (1 s per candle) whose own signals never fire (RSI thresholds 0 / 100): only alerts trade. */
  const quietBot = async (): Promise<string> => {
    const acc = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: `hooks-${Date.now()}`, paperBalances: { USDT: '10000' } });
    const res = await H()
      .post('/api/hyperrsi/bots')
      .set('Authorization', bearer(alice))
      .send({
        accountId: acc.body.id,
        symbol: REPLAY_SYMBOL,
        timeframe: REPLAY_TF,
        settings: { leverage: 10, direction: 'long', rsi_oversold: 0, rsi_overbought: 100 },
        feed: { kind: 'replay', from: candles[0].time, to: candles[candles.length - 1].time, speed: 3600 },
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    const env = testEnv({ THROTTLE_ORDERS_PER_MIN: String(LIMIT) });
    api = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    grid = await createHttpTestApp(GridApiModule.forRoot({ env }));
    ds = api.get(DataSource);
    await api.get(MarketCandlesRepository).upsert(REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, candles);
    alice = await createUserAndLogin(api);
    bob = await createUserAndLogin(api);
    worker = await createHttpTestApp(WorkerModule.forRoot({ env }), false);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await grid?.close();
    await api?.close();
  });

  it('an alert opens a position once; a replay of it, a wrong token, a malformed body, the other app: no order, a clear 4xx', async () => {
    // the worker takes no bot job until the alert is in: it reaches the bot before its first bar, when it has seen no
    // price yet, and waits for the first candle decision (a force entry without a price would be skipped)
    const botsWorker = worker.get(BotsProcessor).worker;
    await botsWorker.pause();
    const botId = await quietBot();
    const created = await H().post(`/api/hyperrsi/bots/${botId}/webhooks`).set('Authorization', bearer(alice)).send({ label: 'tv' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = created.body.token as string;
    registerSecret(token);
    expect(token).toMatch(/^tbwh_[A-Za-z0-9_-]{43}$/);
    expect(created.body.path).toBe(`/api/hyperrsi/webhooks/${token}`);
    // stored hashed: the token itself is nowhere in the table
    const [row] = await ds.query('SELECT * FROM bot_webhooks WHERE id = $1', [created.body.id]);
    expect(JSON.stringify(row)).not.toContain(token.slice(5));
    const listed = await H().get(`/api/hyperrsi/bots/${botId}/webhooks`).set('Authorization', bearer(alice));
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, label: 'tv', revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const alert = { id: 'tv-1', action: 'entry', side: 'long', size: 0.01 };
    const first = await H().post(`/api/hyperrsi/webhooks/${token}`).send(alert);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toEqual({ alertId: 'tv-1', commandId: expect.stringMatching(/^wh\.[0-9a-f]{8}\.tv-1$/), duplicate: false });
    const replayed = await H().post(`/api/hyperrsi/webhooks/${token}`).send(alert);
    expect(replayed.body).toEqual({ alertId: 'tv-1', commandId: null, duplicate: true });

    expectError(await H().post(`/api/hyperrsi/webhooks/tbwh_${'x'.repeat(43)}`).send(alert), 404, 'NOT_FOUND');
    expectError(await H().post(`/api/hyperrsi/webhooks/not-even-a-token`).send(alert), 404, 'NOT_FOUND');
    expectError(await H().post(`/api/hyperrsi/webhooks/${token}`).send({ action: 'buy', side: 'long' }), 400, 'VALIDATION_FAILED');
    expectError(await H().post(`/api/hyperrsi/webhooks/${token}`).send({ action: 'entry', side: 'long', size: -1, id: 'tv-2' }), 400, 'VALIDATION_FAILED');
    expectError(await H().post(`/api/hyperrsi/webhooks/${token}`).set('Content-Type', 'application/json').send('{"action":'), 400, 'BAD_REQUEST');
    // the token of a HYPERRSI bot means nothing to the grid app
    expectError(await G().post(`/api/grid/webhooks/${token}`).send({ ...alert, id: 'tv-3' }), 404, 'NOT_FOUND');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM bot_webhook_alerts WHERE webhook_id = $1', [created.body.id]);
    expect(n).toBe(1);
    const [before] = await ds.query('SELECT decisions, last_candle_time FROM bots WHERE id = $1', [botId]);
    expect(before).toEqual({ decisions: '0', last_candle_time: null });
    await botsWorker.resume();

    // the bot applies the command at its next candle: one market entry of 0.01, filled; never a second
    const deadline = Date.now() + 60_000;
    for (;;) {
      const orders = await ordersOf(botId);
      if (orders.some((o) => o.status === 'FILLED')) break;
      if (Date.now() > deadline) throw new Error(`no entry: ${JSON.stringify(orders)}`);
      await sleep(200);
    }
    await sleep(3_000); // a few more candles: nothing else may appear
    const orders = await ordersOf(botId);
    const entries = orders.filter((o) => o.tag === 'entry');
    expect(entries.length).toBe(1);
    expect(entries[0].intent_key).toBe(`${botId}:cmd:${first.body.commandId}>entry:0`);
    // journaled after the first candle's decision, with that candle's time
    const journal: Array<{ kind: string; input: { candle?: { time: number }; candleTime?: number } }> = await ds.query(
      'SELECT kind, input FROM bot_decisions WHERE bot_id = $1 ORDER BY seq LIMIT 3',
      [botId],
    );
    expect(journal.map((d) => d.kind)).toEqual(['init', 'candle', 'command']);
    expect(journal[2].input.candleTime).toBe(journal[1].input.candle!.time);
    const [pos] = await ds.query(`SELECT d.input FROM bot_decisions d WHERE d.bot_id = $1 AND d.kind = 'fill' ORDER BY seq LIMIT 1`, [botId]);
    expect(pos.input.fill).toMatchObject({ tag: 'entry', side: 'buy', amount: 0.01 });

    // an exit alert closes it; revoked, the URL is 404 and queues nothing
    const exit = await H().post(`/api/hyperrsi/webhooks/${token}`).send({ id: 'tv-4', action: 'exit', side: 'long' });
    expect(exit.status).toBe(202);
    expect((await H().delete(`/api/hyperrsi/bots/${botId}/webhooks/${created.body.id}`).set('Authorization', bearer(alice))).status).toBe(204);
    expectError(await H().post(`/api/hyperrsi/webhooks/${token}`).send({ id: 'tv-5', action: 'entry', side: 'long' }), 404, 'NOT_FOUND');
    for (const deadline2 = Date.now() + 60_000; ; ) {
      const closes = (await ordersOf(botId)).filter((o) => o.tag === 'close' && o.status === 'FILLED');
      if (closes.length === 1) break;
      if (Date.now() > deadline2) throw new Error('the exit alert did not close the position');
      await sleep(200);
    }
  }, 120_000);

  it("webhooks of another user's bot: 404; a GRID bot refuses an entry alert with 400 and records nothing", async () => {
    const botId = await quietBot();
    expectError(await H().post(`/api/hyperrsi/bots/${botId}/webhooks`).set('Authorization', bearer(bob)).send({}), 404, 'NOT_FOUND');
    expectError(await H().get(`/api/hyperrsi/bots/${botId}/webhooks`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await G().post(`/api/grid/bots/${botId}/webhooks`).set('Authorization', bearer(alice)).send({}), 404, 'NOT_FOUND');
    const created = await H().post(`/api/hyperrsi/bots/${botId}/webhooks`).set('Authorization', bearer(alice)).send({});
    registerSecret(created.body.token);
    expectError(await H().delete(`/api/hyperrsi/bots/${botId}/webhooks/${created.body.id}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');

    const acc = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: `hooks-grid-${Date.now()}`, paperBalances: { USDT: '10000' } });
    const g = await G()
      .post('/api/grid/bots')
      .set('Authorization', bearer(alice))
      .send({ accountId: acc.body.id, symbol: REPLAY_SYMBOL, timeframe: REPLAY_TF, settings: { mode: 'range', lowerPrice: 38_000, upperPrice: 52_000, gridNum: 14, leverage: 2, investment: 4000 }, feed: { kind: 'replay', from: candles[0].time, to: candles[9].time, speed: 1 } });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const hook = await G().post(`/api/grid/bots/${g.body.id}/webhooks`).set('Authorization', bearer(alice)).send({});
    registerSecret(hook.body.token);
    expectError(await G().post(`/api/grid/webhooks/${hook.body.token}`).send({ id: 'g-1', action: 'entry', side: 'long' }), 400, 'STRATEGY_COMMAND_INVALID');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM bot_webhook_alerts WHERE webhook_id = $1', [hook.body.id]);
    expect(n).toBe(0);
    // an exit is a command a grid takes (close everything)
    expect((await G().post(`/api/grid/webhooks/${hook.body.token}`).send({ id: 'g-1', action: 'exit', side: 'long' })).status).toBe(202);
  }, 60_000);

  it(`alerts are rate-limited per webhook: ${LIMIT} a minute, then 429 with Retry-After`, async () => {
    const bogus = `tbwh_${'r'.repeat(43)}`;
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await H().post(`/api/hyperrsi/webhooks/${bogus}`).send({ action: 'exit', side: 'long' })).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 404)).toBe(true);
    const limited = await H().post(`/api/hyperrsi/webhooks/${bogus}`).send({ action: 'exit', side: 'long' });
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // another webhook's URL is counted apart
    expectError(await H().post(`/api/hyperrsi/webhooks/tbwh_${'s'.repeat(43)}`).send({ action: 'exit', side: 'long' }), 404, 'NOT_FOUND');
  }, 60_000);
});
