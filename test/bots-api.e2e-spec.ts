import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { runBacktest, toResultJson } from '@tb/backtest';
import { botStrategy } from '@tb/bots';
import { PAPER_MARKETS } from '@tb/exchange';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { replayBotJournal } from '../apps/cli/src/commands/bots.command';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { startFakeBinance, type FakeBinance } from './support/fake-exchange/fake-binance.server';

/**
 * The bots REST API of both strategy apps, booted as main.ts boots them, against a fresh database: every refusal is
 * a clear 4xx in the standard error shape and writes nothing; status moves follow the bot status machine; a bot
 * is visible only to its owner and only on its own strategy's app. Paper accounts: no exchange network (a local
 * fake Binance stands in for the one non-paper account).
 */

const PERP = 'BTC/USDT:USDT';
const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, 500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bots REST API: /api/hyperrsi/bots and /api/grid/bots', () => {
  let hyperrsi: HttpApp;
  let grid: HttpApp;
  let worker: HttpApp | undefined;
  let env: Record<string, string | undefined>;
  let fake: FakeBinance;
  let ds: DataSource;
  let alice: TestUser;
  let bob: TestUser;
  let alicePaper: string;
  let alicePaper2: string;
  let bobPaper: string;
  let aliceBinance: string;
  const H = () => request(hyperrsi.getHttpServer());
  const G = () => request(grid.getHttpServer());

  const paperAccount = async (u: TestUser, label: string): Promise<string> => {
    const res = await H().post('/api/exchange-accounts').set('Authorization', bearer(u)).send({ exchange: 'paper', label, paperBalances: { USDT: '10000' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  /** Every bot row of the user (the "nothing written" check), and the API's own view of it. */
  const botsOf = async (u: TestUser): Promise<{ rows: number; inputs: number; listed: number }> => {
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM bots WHERE user_id = $1', [u.userId]);
    const [{ i }] = await ds.query('SELECT count(*)::int AS i FROM bot_inputs bi JOIN bots b ON b.id = bi.bot_id WHERE b.user_id = $1', [u.userId]);
    const h = await H().get('/api/hyperrsi/bots').set('Authorization', bearer(u));
    const g = await G().get('/api/grid/bots').set('Authorization', bearer(u));
    expect(h.status).toBe(200);
    expect(g.status).toBe(200);
    return { rows: n, inputs: i, listed: h.body.total + g.body.total };
  };

  const expectErrorShape = (res: request.Response, status: number, code: string, path: string): void => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toEqual(
      expect.objectContaining({ code, message: expect.any(String), path, request_id: expect.any(String), timestamp: expect.any(String) }),
    );
    expect(res.body.error).toHaveProperty('details');
  };

  beforeAll(async () => {
    fake = await startFakeBinance({ balances: { USDT: 100_000 }, prices: { BTCUSDT: 60_000 } });
    env = testEnv({ EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls }), EXCHANGE_RATE_LIMIT_MS: '1' });
    hyperrsi = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    grid = await createHttpTestApp(GridApiModule.forRoot({ env }));
    ds = hyperrsi.get(DataSource);
    alice = await createUserAndLogin(hyperrsi);
    bob = await createUserAndLogin(hyperrsi);
    alicePaper = await paperAccount(alice, 'alice-paper');
    alicePaper2 = await paperAccount(alice, 'alice-paper-2');
    bobPaper = await paperAccount(bob, 'bob-paper');
    const bin = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'binance', label: 'alice-binance', apiKey: fake.apiKey, secret: fake.secret });
    expect(bin.status, JSON.stringify(bin.body)).toBe(201);
    aliceBinance = bin.body.id;
    // stored candles for the replay feeds: paper perpetuals read the binanceusdm series
    await hyperrsi.get(MarketCandlesRepository).upsert('binanceusdm', PERP, '1h', candles);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await grid?.close();
    await hyperrsi?.close();
    await fake?.close();
  });

  describe('refusals: a clear 4xx in the standard error shape, nothing written', () => {
    it('bad settings: 400 STRATEGY_SETTINGS_INVALID with one detail per settings.<field>', async () => {
      const before = await botsOf(alice);
      const res = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { rsi_length: 0, leverage: 1000 } });
      expectErrorShape(res, 400, 'STRATEGY_SETTINGS_INVALID', '/api/hyperrsi/bots');
      const fields = (res.body.error.details as Array<{ field: string; messages: string[] }>).map((d) => d.field).sort();
      expect(fields).toEqual(['settings.leverage', 'settings.rsiLength']);

      const g = await G().post('/api/grid/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { gridNum: 0 } });
      expectErrorShape(g, 400, 'STRATEGY_SETTINGS_INVALID', '/api/grid/bots');
      expect((g.body.error.details as Array<{ field: string }>).map((d) => d.field)).toEqual(['settings.gridNum']);
      expect(await botsOf(alice)).toEqual(before);
    });

    it('a malformed request: 400 VALIDATION_FAILED per field', async () => {
      const before = await botsOf(alice);
      const res = await H()
        .post('/api/hyperrsi/bots')
        .set('Authorization', bearer(alice))
        .send({ accountId: 'nope', symbol: 'btc-usdt', timeframe: '7m', settings: 'fast', feed: { kind: 'replay', from: 'yesterday' }, start: 'yes', extra: 1 });
      expectErrorShape(res, 400, 'VALIDATION_FAILED', '/api/hyperrsi/bots');
      const fields = (res.body.error.details as Array<{ field: string }>).map((d) => d.field).sort();
      expect(fields).toEqual(['accountId', 'extra', 'feed.from', 'feed.to', 'settings', 'start', 'symbol', 'timeframe']);
      expect(await botsOf(alice)).toEqual(before);
    });

    it('an unknown account and another user’s account: 404', async () => {
      const before = await botsOf(alice);
      const unknown = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: randomUUID(), symbol: PERP, timeframe: '1h' });
      expectErrorShape(unknown, 404, 'NOT_FOUND', '/api/hyperrsi/bots');
      const foreign = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: bobPaper, symbol: PERP, timeframe: '1h' });
      expectErrorShape(foreign, 404, 'NOT_FOUND', '/api/hyperrsi/bots');
      expect(await botsOf(alice)).toEqual(before);
      expect((await botsOf(bob)).rows).toBe(0);
    });

    it('an unknown symbol: 400 naming the symbol', async () => {
      const before = await botsOf(alice);
      const res = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: 'DOGE/USDT:USDT', timeframe: '1h' });
      expectErrorShape(res, 400, 'BAD_REQUEST', '/api/hyperrsi/bots');
      expect(res.body.error.message).toContain('DOGE/USDT:USDT');
      expect(await botsOf(alice)).toEqual(before);
    });

    it('a too-small investment (HYPERRSI 5 USDT × leverage 1 on a perpetual < 200): 422 ORDER_BELOW_MINIMUM', async () => {
      const before = await botsOf(alice);
      const res = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { investment: 5, leverage: 1 } });
      expectErrorShape(res, 422, 'ORDER_BELOW_MINIMUM', '/api/hyperrsi/bots');
      expect(res.body.error.message).toMatch(/investment × leverage = 5 USDT is below the minimum of 200 USDT/);
      // GRID: investment 10 × leverage 10 = 100 < 200
      const g = await G().post('/api/grid/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { investment: 10, leverage: 10 } });
      expectErrorShape(g, 422, 'ORDER_BELOW_MINIMUM', '/api/grid/bots');
      expect(await botsOf(alice)).toEqual(before);
    });

    it('a replay feed on a non-paper account: 400; without stored candles: 422 NO_MARKET_DATA', async () => {
      const before = await botsOf(alice);
      const feed = { kind: 'replay', from: new Date(candles[0].time).toISOString(), to: candles[candles.length - 1].time, speed: null };
      const live = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: aliceBinance, symbol: 'BTC/USDT', timeframe: '1h', feed });
      expectErrorShape(live, 400, 'BAD_REQUEST', '/api/hyperrsi/bots');
      expect(live.body.error.message).toMatch(/paper account/);
      const noData = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: 'ETH/USDT:USDT', timeframe: '1h', feed });
      expectErrorShape(noData, 422, 'NO_MARKET_DATA', '/api/hyperrsi/bots');
      expect(noData.body.error.message).toMatch(/tb data import/);
      const farFuture = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', feed: { kind: 'replay', from: 9e15, to: 9.007e15 } });
      expectErrorShape(farFuture, 400, 'VALIDATION_FAILED', '/api/hyperrsi/bots');
      expect(farFuture.body.error.details.map((d: { field: string }) => d.field)).toEqual(['feed.from', 'feed.to']);
      const reversed = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', feed: { ...feed, from: feed.to, to: candles[0].time } });
      expectErrorShape(reversed, 400, 'BAD_REQUEST', '/api/hyperrsi/bots');
      expect(await botsOf(alice)).toEqual(before);
    });
  });

  describe('life cycle and scoping', () => {
    let liveBot: string;
    let replayBot: string;
    let gridBot: string;

    it('creates a live bot on a paper account (started by default) and shows it', async () => {
      const res = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { leverage: 10, investment: 50 } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      liveBot = res.body.id;
      expect(res.body).toMatchObject({
        strategy: 'hyperrsi',
        accountId: alicePaper,
        symbol: PERP,
        timeframe: '1h',
        status: 'running',
        statusReason: null,
        feed: { kind: 'live' },
        settings: { leverage: 10, investment: 50 },
        realizedPnl: 0,
        position: { long: { qty: 0, avgEntryPrice: 0 }, short: { qty: 0, avgEntryPrice: 0 } },
        openOrders: [],
        lastDecision: null,
        nextCandleAt: null,
        decisions: 0,
      });
      expect(res.body.startedAt).not.toBeNull();
      const got = await H().get(`/api/hyperrsi/bots/${liveBot}`).set('Authorization', bearer(alice));
      expect(got.status).toBe(200);
      expect(got.body.id).toBe(liveBot);
      expect(got.body.status).toBe('running');
    });

    it('a second active bot on the same (account, symbol): 409 CONFLICT, nothing written', async () => {
      const before = await botsOf(alice);
      const res = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '4h' });
      expectErrorShape(res, 409, 'CONFLICT', '/api/hyperrsi/bots');
      expect(res.body.error.message).toMatch(/another bot is already active/);
      // the other strategy's app guards the same exchange position
      const g = await G().post('/api/grid/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: PERP, timeframe: '1h', settings: { investment: 100 } });
      expectErrorShape(g, 409, 'CONFLICT', '/api/grid/bots');
      expect(await botsOf(alice)).toEqual(before);
    });

    it('creates a stopped replay bot (start=false) over stored candles, times as ISO or ms', async () => {
      const res = await H()
        .post('/api/hyperrsi/bots')
        .set('Authorization', bearer(alice))
        .send({ accountId: alicePaper2, symbol: PERP, timeframe: '1h', feed: { kind: 'replay', from: new Date(candles[0].time).toISOString(), to: candles[99].time, speed: 3600 }, start: false });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      replayBot = res.body.id;
      expect(res.body.status).toBe('stopped');
      expect(res.body.startedAt).toBeNull();
      expect(res.body.feed).toEqual({ kind: 'replay', from: new Date(candles[0].time).toISOString(), to: new Date(candles[99].time).toISOString(), speed: 3600 });
    });

    it('illegal status moves: 409 ILLEGAL_STATE_TRANSITION, status unchanged', async () => {
      const resume = await H().post(`/api/hyperrsi/bots/${liveBot}/resume`).set('Authorization', bearer(alice));
      expectErrorShape(resume, 409, 'ILLEGAL_STATE_TRANSITION', `/api/hyperrsi/bots/${liveBot}/resume`);
      const pause = await H().post(`/api/hyperrsi/bots/${replayBot}/pause`).set('Authorization', bearer(alice));
      expectErrorShape(pause, 409, 'ILLEGAL_STATE_TRANSITION', `/api/hyperrsi/bots/${replayBot}/pause`);
      const stop = await H().post(`/api/hyperrsi/bots/${replayBot}/stop`).set('Authorization', bearer(alice));
      expectErrorShape(stop, 409, 'CONFLICT', `/api/hyperrsi/bots/${replayBot}/stop`);
      const start = await H().post(`/api/hyperrsi/bots/${liveBot}/start`).set('Authorization', bearer(alice));
      expectErrorShape(start, 409, 'ILLEGAL_STATE_TRANSITION', `/api/hyperrsi/bots/${liveBot}/start`);
      expect((await H().get(`/api/hyperrsi/bots/${liveBot}`).set('Authorization', bearer(alice))).body.status).toBe('running');
      expect((await H().get(`/api/hyperrsi/bots/${replayBot}`).set('Authorization', bearer(alice))).body.status).toBe('stopped');
    });

    it('pause → resume → stop → start, each answered with the bot', async () => {
      const steps: Array<[string, string, object | undefined]> = [
        ['pause', 'paused', undefined],
        ['resume', 'running', undefined],
        ['stop', 'stopped', { closePosition: true }],
        ['start', 'running', undefined],
      ];
      for (const [action, status, body] of steps) {
        const res = await H().post(`/api/hyperrsi/bots/${liveBot}/${action}`).set('Authorization', bearer(alice)).send(body ?? {});
        expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.status).toBe(status);
      }
      const stopped = await H().post(`/api/hyperrsi/bots/${liveBot}/stop`).set('Authorization', bearer(alice)).send({ closePosition: 'yes' });
      expectErrorShape(stopped, 400, 'VALIDATION_FAILED', `/api/hyperrsi/bots/${liveBot}/stop`);
      const events: Array<{ type: string }> = await ds.query(`SELECT type FROM event_outbox WHERE payload->>'botId' = $1 ORDER BY id`, [liveBot]);
      expect(events.map((e) => e.type)).toEqual(['bot.started', 'bot.paused', 'bot.started', 'bot.stopped', 'bot.started']);
    });

    it('PATCH settings: validated per field (nothing stored when bad), merged and journaled when good', async () => {
      const bad = await H().patch(`/api/hyperrsi/bots/${liveBot}/settings`).set('Authorization', bearer(alice)).send({ settings: { rsi_oversold: 500 } });
      expectErrorShape(bad, 400, 'STRATEGY_SETTINGS_INVALID', `/api/hyperrsi/bots/${liveBot}/settings`);
      expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['settings.rsiOversold']);
      const [{ n: inputsBefore }] = await ds.query(`SELECT count(*)::int AS n FROM bot_inputs WHERE bot_id = $1 AND kind = 'settings'`, [liveBot]);
      expect(inputsBefore).toBe(0);
      const ok = await H().patch(`/api/hyperrsi/bots/${liveBot}/settings`).set('Authorization', bearer(alice)).send({ settings: { rsi_oversold: 25 } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.settings).toEqual({ leverage: 10, investment: 50, rsiOversold: 25 });
      const [row] = await ds.query(`SELECT settings FROM bots WHERE id = $1`, [liveBot]);
      expect(row.settings).toEqual({ leverage: 10, investment: 50, rsi_oversold: 25 }); // stored (and journaled) under the strategy's own name
      const [{ n: inputsAfter }] = await ds.query(`SELECT count(*)::int AS n FROM bot_inputs WHERE bot_id = $1 AND kind = 'settings'`, [liveBot]);
      expect(inputsAfter).toBe(1);
    });

    it('a GRID bot lives on grid-api only; a HYPERRSI bot on hyperrsi-api only (404 across)', async () => {
      const res = await G().post('/api/grid/bots').set('Authorization', bearer(alice)).send({ accountId: alicePaper, symbol: 'ETH/USDT:USDT', timeframe: '1h', settings: { investment: 100, leverage: 10 } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      gridBot = res.body.id;
      expect(res.body.strategy).toBe('grid');
      for (const path of ['', '/trades', '/decisions']) {
        expectErrorShape(await H().get(`/api/hyperrsi/bots/${gridBot}${path}`).set('Authorization', bearer(alice)), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${gridBot}${path}`);
        expectErrorShape(await G().get(`/api/grid/bots/${liveBot}${path}`).set('Authorization', bearer(alice)), 404, 'NOT_FOUND', `/api/grid/bots/${liveBot}${path}`);
      }
      expectErrorShape(await H().post(`/api/hyperrsi/bots/${gridBot}/pause`).set('Authorization', bearer(alice)), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${gridBot}/pause`);
      expect((await G().get(`/api/grid/bots/${gridBot}`).set('Authorization', bearer(alice))).body.status).toBe('running');
      const hList = await H().get('/api/hyperrsi/bots').set('Authorization', bearer(alice));
      const gList = await G().get('/api/grid/bots').set('Authorization', bearer(alice));
      expect(hList.body.items.map((b: { id: string }) => b.id).sort()).toEqual([liveBot, replayBot].sort());
      expect(gList.body.items.map((b: { id: string }) => b.id)).toEqual([gridBot]);
    });

    it('another user’s bot is 404 for every route, and absent from their list', async () => {
      const auth = bearer(bob);
      expectErrorShape(await H().get(`/api/hyperrsi/bots/${liveBot}`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${liveBot}`);
      for (const action of ['start', 'stop', 'pause', 'resume']) {
        expectErrorShape(await H().post(`/api/hyperrsi/bots/${liveBot}/${action}`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${liveBot}/${action}`);
      }
      expectErrorShape(await H().patch(`/api/hyperrsi/bots/${liveBot}/settings`).set('Authorization', auth).send({ settings: {} }), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${liveBot}/settings`);
      expectErrorShape(await H().get(`/api/hyperrsi/bots/${liveBot}/trades`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${liveBot}/trades`);
      expectErrorShape(await H().get(`/api/hyperrsi/bots/${liveBot}/decisions`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${liveBot}/decisions`);
      expectErrorShape(await G().get(`/api/grid/bots/${gridBot}`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/grid/bots/${gridBot}`);
      expect((await H().get('/api/hyperrsi/bots').set('Authorization', auth)).body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
      expect((await H().get(`/api/hyperrsi/bots/${liveBot}`).set('Authorization', bearer(alice))).body.status).toBe('running');
      // a malformed id is a 400, an unknown one a 404
      expectErrorShape(await H().get('/api/hyperrsi/bots/not-a-uuid').set('Authorization', auth), 400, 'BAD_REQUEST', '/api/hyperrsi/bots/not-a-uuid');
      const unknown = randomUUID();
      expectErrorShape(await H().get(`/api/hyperrsi/bots/${unknown}`).set('Authorization', auth), 404, 'NOT_FOUND', `/api/hyperrsi/bots/${unknown}`);
    });

    it('lists with filters and pages; a bot with no fills has no trades and an empty journal', async () => {
      const running = await H().get('/api/hyperrsi/bots?status=running').set('Authorization', bearer(alice));
      expect(running.body.items.map((b: { id: string }) => b.id)).toEqual([liveBot]);
      expect(running.body.items[0]).toMatchObject({ status: 'running', realizedPnl: 0, closedTrades: 0 });
      const page = await H().get('/api/hyperrsi/bots?limit=1&offset=1').set('Authorization', bearer(alice));
      expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
      expect(page.body.items).toHaveLength(1);
      expectErrorShape(await H().get('/api/hyperrsi/bots?limit=0&status=sleeping').set('Authorization', bearer(alice)), 400, 'VALIDATION_FAILED', '/api/hyperrsi/bots?limit=0&status=sleeping');
      const trades = await H().get(`/api/hyperrsi/bots/${replayBot}/trades`).set('Authorization', bearer(alice));
      expect(trades.body).toEqual({ trades: [], realizedPnl: 0, fees: 0 });
      const decisions = await H().get(`/api/hyperrsi/bots/${replayBot}/decisions?afterSeq=0&limit=10`).set('Authorization', bearer(alice));
      expect(decisions.body).toEqual({ items: [], nextAfterSeq: null, limit: 10 });
    });

    it('DELETE of an account with a bot that is not stopped: 409 ACCOUNT_IN_USE naming it; once the bot is stopped, 204', async () => {
      const carol = await createUserAndLogin(hyperrsi); // a user of its own: the other tests count alice's bots
      const accountId = await paperAccount(carol, 'bot-in-use');
      const created = await H().post('/api/hyperrsi/bots').set('Authorization', bearer(carol)).send({ accountId, symbol: PERP, timeframe: '1h', settings: { leverage: 10, investment: 50 } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const refused = await H().delete(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(carol));
      expectErrorShape(refused, 409, 'ACCOUNT_IN_USE', `/api/exchange-accounts/${accountId}`);
      expect(refused.body.error.details.blockers).toEqual([{ kind: 'bots not stopped', count: 1 }]);
      expect((await H().get(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(carol))).status).toBe(200);
      const stopped = await H().post(`/api/hyperrsi/bots/${created.body.id}/stop`).set('Authorization', bearer(carol)).send({});
      expect(stopped.body.status).toBe('stopped');
      expect((await H().delete(`/api/exchange-accounts/${accountId}`).set('Authorization', bearer(carol))).status).toBe(204);
    });

    it('the routes are in the Swagger document of each app', async () => {
      const h = (await H().get('/docs-json')).body as { paths: Record<string, object> };
      const g = (await G().get('/docs-json')).body as { paths: Record<string, object> };
      for (const p of ['', '/{id}', '/{id}/start', '/{id}/stop', '/{id}/pause', '/{id}/resume', '/{id}/settings', '/{id}/trades', '/{id}/decisions']) {
        expect(h.paths).toHaveProperty([`/api/hyperrsi/bots${p}`]);
        expect(g.paths).toHaveProperty([`/api/grid/bots${p}`]);
      }
      expect(Object.keys(h.paths).some((p) => p.startsWith('/api/grid/bots'))).toBe(false);
      expect(Object.keys(g.paths).some((p) => p.startsWith('/api/hyperrsi/bots'))).toBe(false);
    });
  });

  describe('a replay bot run by the worker, read through the API', () => {
    let bot: string;
    const settings = { leverage: 10, investment: 100 };

    beforeAll(async () => {
      // stop what runs on a live feed (a worker would poll the exchange for it), then start the worker
      for (const [app, prefix] of [[H, '/api/hyperrsi/bots'], [G, '/api/grid/bots']] as const) {
        const running = await app().get(`${prefix}?status=running`).set('Authorization', bearer(alice));
        for (const b of running.body.items as Array<{ id: string }>) {
          const res = await app().post(`${prefix}/${b.id}/stop`).set('Authorization', bearer(alice)).send({});
          expect(res.status, JSON.stringify(res.body)).toBe(200);
        }
      }
      worker = await createHttpTestApp(WorkerModule.forRoot({ env }), false);
    }, 120_000);

    it('runs to the end of its window; detail, journal pages, trades and the list agree', async () => {
      const res = await H()
        .post('/api/hyperrsi/bots')
        .set('Authorization', bearer(alice))
        .send({ accountId: alicePaper2, symbol: PERP, timeframe: '1h', settings, feed: { kind: 'replay', from: candles[0].time, to: candles[candles.length - 1].time, speed: null } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.status).toBe('running');
      bot = res.body.id;
      let detail: request.Response;
      const deadline = performance.now() + 400_000;
      for (;;) {
        detail = await H().get(`/api/hyperrsi/bots/${bot}`).set('Authorization', bearer(alice));
        expect(detail.status).toBe(200);
        if (detail.body.status !== 'running') break;
        if (performance.now() > deadline) throw new Error(`replay did not finish: ${JSON.stringify(detail.body)}`);
        await sleep(500);
      }
      const last = candles[candles.length - 1];
      expect(detail.body).toMatchObject({ status: 'stopped', lastCandleTime: new Date(last.time).toISOString(), lastPrice: last.close, nextCandleAt: new Date(last.time + 2 * 3_600_000).toISOString() });
      expect(detail.body.statusReason).toMatch(/replay finished/);
      expect(detail.body.lastDecision.seq).toBe(detail.body.decisions);

      // the journal, page by page: contiguous, one init, one decision per candle of the window
      const seqs: number[] = [];
      const kinds: Record<string, number> = {};
      for (let after = 0; ; ) {
        const page = await H().get(`/api/hyperrsi/bots/${bot}/decisions?afterSeq=${after}&limit=97`).set('Authorization', bearer(alice));
        expect(page.status).toBe(200);
        for (const d of page.body.items as Array<{ seq: number; kind: string }>) {
          seqs.push(d.seq);
          kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
        }
        if (page.body.nextAfterSeq === null) break;
        after = page.body.nextAfterSeq;
      }
      expect(seqs).toEqual(Array.from({ length: detail.body.decisions }, (_, i) => i + 1));
      expect(kinds.init).toBe(1);
      expect(kinds.candle).toBe(candles.length);

      // closed trades: the fields of result.json's trades, and the totals the list shows
      const trades = await H().get(`/api/hyperrsi/bots/${bot}/trades`).set('Authorization', bearer(alice));
      expect(trades.status).toBe(200);
      expect(trades.body.trades.length).toBeGreaterThan(0);
      const m = PAPER_MARKETS.get(PERP)!;
      const reference = toResultJson(
        runBacktest({
          strategy: botStrategy('hyperrsi'),
          settings,
          candles,
          market: { symbol: PERP, type: 'perp', tickSize: m.tickSize, amountStep: m.amountStep, minAmount: m.minAmount, minNotional: m.minNotional },
          timeframe: '1h',
          initialBalance: 10_000,
          feeMaker: m.makerFee ?? 0,
          feeTaker: m.takerFee ?? 0,
          slippage: 0.0005,
          leverage: 10,
        }),
      );
      expect(reference.trades.length).toBeGreaterThan(0);
      const fields = Object.keys(reference.trades[0]).sort();
      for (const t of trades.body.trades as Array<Record<string, unknown>>) expect(Object.keys(t).sort()).toEqual(fields);
      const sum = (trades.body.trades as Array<{ pnl: number }>).reduce((a, t) => a + t.pnl, 0);
      expect(trades.body.realizedPnl).toBeCloseTo(sum, 9);
      expect(detail.body.realizedPnl).toBe(trades.body.realizedPnl);
      expect(detail.body.closedTrades).toBe(trades.body.trades.length);
      const listed = (await H().get('/api/hyperrsi/bots?status=stopped&limit=100').set('Authorization', bearer(alice))).body.items.find((b: { id: string }) => b.id === bot);
      expect(listed).toMatchObject({ realizedPnl: trades.body.realizedPnl, closedTrades: trades.body.trades.length, status: 'stopped' });

      // and `tb bots replay` finds the journal identical
      expect(await replayBotJournal(env, bot)).toEqual({ identical: true, decisions: detail.body.decisions });
    }, 480_000);
  });
});
