import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridPortfoliosService } from '@tb/bots';
import { MarketCandlesRepository } from '@tb/market';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * GRID symbol selection on the grid app and PostgreSQL: a paper account (its exchange lists BTC, ETH, SOL spot and
 * perpetual), the fixture's stored 1h candles of 5 of them (2022-09-01..15, test/fixtures/candles/portfolio; the
 * paper feed reads spot from `binance`, perpetuals from `binanceusdm`), an adaptive long grid (20 levels, 1,000 USDT,
 * custom_stop 720 min), up to 2 bots, SOL/USDT blacklisted. The engine's win rates on that window
 * (libs/bots/src/grid-portfolios/portfolio-selection.spec.ts): SOL/USDT 35/39, BTC/USDT 23/27, ETH/USDT:USDT 32/40,
 * ETH/USDT 31/40, BTC/USDT:USDT no trade (under its minimum notional); SOL/USDT:USDT has no stored candles.
 *   round 1 (2022-09-16 00:00): ranking without SOL/USDT → bots on BTC/USDT and ETH/USDT:USDT
 *   round 2 (12 h later, no entry since: the bots never saw a candle): both are stale → stopped (custom_stop) and
 *   replaced by the next best that is not one of them: ETH/USDT only (BTC/USDT:USDT has no trade)
 */
const SERIES: ReadonlyArray<[string, string, string]> = [
  ['binance', 'BTC/USDT', 'binance_BTC-USDT'],
  ['binance', 'ETH/USDT', 'binance_ETH-USDT'],
  ['binance', 'SOL/USDT', 'binance_SOL-USDT'],
  ['binanceusdm', 'BTC/USDT:USDT', 'binanceusdm_BTC-USDT'],
  ['binanceusdm', 'ETH/USDT:USDT', 'binanceusdm_ETH-USDT'],
];
const NOW = Date.UTC(2022, 8, 16);
const H = 3_600_000;
const SETTINGS = { direction: 'long', gridNum: 20, investment: 1000, leverage: 1, customStopMinutes: 720 };

describe('GRID portfolios: /api/grid/portfolios and the selection round', () => {
  let app: HttpApp;
  let ds: DataSource;
  let alice: TestUser;
  let bob: TestUser;
  let accountId: string;
  let bobAccount: string;
  let id: string;
  const G = () => request(app.getHttpServer());
  const expectError = (res: request.Response, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }));
  };
  const paper = async (u: TestUser) => {
    const res = await G().post('/api/exchange-accounts').set('Authorization', bearer(u)).send({ exchange: 'paper', label: 'portfolio', paperBalances: { USDT: '100000' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    app = await createHttpTestApp(GridApiModule.forRoot({ env: testEnv() }));
    ds = app.get(DataSource);
    alice = await createUserAndLogin(app);
    bob = await createUserAndLogin(app);
    accountId = await paper(alice);
    bobAccount = await paper(bob);
    const repo = app.get(MarketCandlesRepository);
    for (const [source, symbol, file] of SERIES) await repo.upsert(source, symbol, '1h', readCandlesCsv(`test/fixtures/candles/portfolio/${file}_1h_2022-09.csv`));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('create: running, its first round due at once', async () => {
    const res = await G()
      .post('/api/grid/portfolios')
      .set('Authorization', bearer(alice))
      .send({ accountId, name: 'top 2', timeframe: '1h', settings: SETTINGS, maxBots: 2, lookbackHours: 400, blacklist: ['SOL/USDT'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'running', metric: 'win_rate', maxBots: 2, blacklist: ['SOL/USDT'], whitelist: [], ranking: [], bots: [], settings: { ...SETTINGS, mode: 'adaptive' } });
    expect(res.body.nextRunAt).not.toBeNull();
    id = res.body.id;
    const list = await G().get('/api/grid/portfolios').set('Authorization', bearer(alice));
    expect(list.body).toMatchObject({ total: 1, items: [{ id, name: 'top 2' }] });
  });

  it('round 1: ranks the stored symbols (blacklist left out) and runs bots on the best 2', async () => {
    const out = await app.get(GridPortfoliosService).rebalance(id, NOW);
    expect(out.refused).toEqual({});
    expect(Object.keys(out.started)).toEqual(['BTC/USDT', 'ETH/USDT:USDT']);
    const res = await G().get(`/api/grid/portfolios/${id}`).set('Authorization', bearer(alice));
    expect(res.status).toBe(200);
    expect(res.body.ranking.map((r: { symbol: string; trades: number }) => [r.symbol, r.trades])).toEqual([
      ['BTC/USDT', 27],
      ['ETH/USDT:USDT', 40],
      ['ETH/USDT', 40],
      ['BTC/USDT:USDT', 0],
    ]);
    expect(res.body.rankedAt).toBe(new Date(NOW).toISOString());
    expect(res.body.bots.map((b: { symbol: string; status: string; stopReason: string | null }) => [b.symbol, b.status, b.stopReason])).toEqual([
      ['BTC/USDT', 'running', null],
      ['ETH/USDT:USDT', 'running', null],
    ]);
    // real grid bots of alice on that account, live feed
    const rows = await ds.query(`SELECT symbol, strategy, status, settings->>'mode' AS mode FROM bots WHERE user_id = $1 ORDER BY symbol`, [alice.userId]);
    expect(rows).toEqual([
      { symbol: 'BTC/USDT', strategy: 'grid', status: 'running', mode: 'adaptive' },
      { symbol: 'ETH/USDT:USDT', strategy: 'grid', status: 'running', mode: 'adaptive' },
    ]);
  });

  it('round 2, custom_stop later without an entry: both replaced by the next best (not by themselves)', async () => {
    const early = await app.get(GridPortfoliosService).rebalance(id, NOW + 11 * H); // 660 min < 720: nothing moves
    expect(early.plan.stop).toEqual([]);
    expect(early.started).toEqual({});
    const out = await app.get(GridPortfoliosService).rebalance(id, NOW + 12 * H);
    expect(out.plan.stop.map((s) => [s.symbol, s.reason])).toEqual([
      ['BTC/USDT', 'custom_stop'],
      ['ETH/USDT:USDT', 'custom_stop'],
    ]);
    expect(Object.keys(out.started)).toEqual(['ETH/USDT']);
    const res = await G().get(`/api/grid/portfolios/${id}`).set('Authorization', bearer(alice));
    expect(res.body.bots.map((b: { symbol: string; status: string; stopReason: string | null }) => [b.symbol, b.status, b.stopReason])).toEqual([
      ['BTC/USDT', 'stopped', 'custom_stop'],
      ['ETH/USDT:USDT', 'stopped', 'custom_stop'],
      ['ETH/USDT', 'running', null],
    ]);
  });

  it('stop: the portfolio and its bots stop; start again: due at once', async () => {
    const res = await G().post(`/api/grid/portfolios/${id}/stop`).set('Authorization', bearer(alice));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'stopped', nextRunAt: null });
    expect(res.body.bots.filter((b: { status: string }) => b.status !== 'stopped')).toEqual([]);
    expect(res.body.bots[2]).toMatchObject({ symbol: 'ETH/USDT', stopReason: 'portfolio_stopped' });
    expectError(await G().post(`/api/grid/portfolios/${id}/stop`).set('Authorization', bearer(alice)), 409, 'CONFLICT');
    const again = await G().post(`/api/grid/portfolios/${id}/start`).set('Authorization', bearer(alice));
    expect(again.body).toMatchObject({ status: 'running' });
    await G().post(`/api/grid/portfolios/${id}/stop`).set('Authorization', bearer(alice));
  });

  it('the worker tick: a due round is claimed once even when two ticks race', async () => {
    const res = await G()
      .post('/api/grid/portfolios')
      .set('Authorization', bearer(alice))
      .send({ accountId, name: 'due', timeframe: '1h', settings: SETTINGS, maxBots: 1, intervalMinutes: 60 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const due = Date.parse(res.body.nextRunAt);
    const at = due + 1000;
    const svc = app.get(GridPortfoliosService);
    const [a, b] = await Promise.all([svc.runDue(at), svc.runDue(at)]);
    expect(a + b).toBe(1); // only this test file creates portfolios in the shared database
    const after = await G().get(`/api/grid/portfolios/${res.body.id}`).set('Authorization', bearer(alice));
    // ranked at `at` (no stored candle in the recent window: an empty ranking, no bot) and due again an hour later
    expect(after.body).toMatchObject({ rankedAt: new Date(at).toISOString(), nextRunAt: new Date(at + H).toISOString(), ranking: [], bots: [] });
    expect(await svc.runDue(at + 1000)).toBe(0);
    await G().post(`/api/grid/portfolios/${res.body.id}/stop`).set('Authorization', bearer(alice));
  });

  it("another user's portfolio or account is 404; bad input is a 4xx in the standard error shape, nothing written", async () => {
    expectError(await G().get(`/api/grid/portfolios/${id}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await G().post(`/api/grid/portfolios/${id}/start`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expect((await G().get('/api/grid/portfolios').set('Authorization', bearer(bob))).body.total).toBe(0);
    const post = (u: TestUser, body: object) => G().post('/api/grid/portfolios').set('Authorization', bearer(u)).send(body);
    const ok = { accountId: bobAccount, name: 'x', timeframe: '1h', settings: SETTINGS, maxBots: 2 };
    expectError(await post(bob, { ...ok, accountId }), 404, 'NOT_FOUND'); // alice's account
    expectError(await post(bob, { ...ok, maxBots: 0, whitelist: ['btc'], timeframe: '7m' }), 400, 'VALIDATION_FAILED');
    expectError(await post(bob, { ...ok, settings: { ...SETTINGS, mode: 'range' } }), 400, 'BAD_REQUEST');
    expectError(await post(bob, { ...ok, settings: { ...SETTINGS, gridNum: 0 } }), 400, 'STRATEGY_SETTINGS_INVALID');
    expectError(await post(bob, { ...ok, whitelist: ['ETH/USDT'], blacklist: ['ETH/USDT'] }), 400, 'BAD_REQUEST');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM grid_portfolios WHERE user_id = $1', [bob.userId]);
    expect(n).toBe(0);
  });
});
