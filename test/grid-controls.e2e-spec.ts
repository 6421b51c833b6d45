import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeAccountsService } from '@tb/accounts';
import { BotEvaluator, BotsRepository } from '@tb/bots';
import { PAPER_MARKETS } from '@tb/exchange';
import { OrdersService, type OrderEntity } from '@tb/orders';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { replayBotJournal } from '../apps/cli/src/commands/bots.command';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * GRID controls on the grid app with the real bot runtime (BotEvaluator: journal, OMS rows) on PostgreSQL; the orders
 * are not sent (the evaluation is committed, the dispatch is left out), so the counts are exactly what the strategy
 * asked for.
 *
 * A neutral range grid 50,000..60,000 / 10 grids (step 1,000), 200 USDT per grid; candles close at 55,500: levels
 * 50,000..55,000 (j 0..5) rest as buys, 56,000..60,000 (j 6..10) as sells: 11 orders. The j 5 buy fills (0.003 BTC
 * = floor(200 / 55,000 to the 0.001 step), fee 0.033), its take-profit sells at 56,000 (fee 0.0336), the level
 * re-arms: level 5's grid profit = (56,000 − 55,000) × 0.003 − 0.033 − 0.0336 = 2.9334.
 *   adjust upper 65,000 / 15 grids (same step): 0 cancels; the next candle places only 61,000..65,000 (5 orders).
 *   adjust direction long: the 10 sells (j 6..15) are cancelled; the next candle places nothing.
 */
const PERP = 'BTC/USDT:USDT';
const H1 = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const SETTINGS = { mode: 'range', direction: 'neutral', lowerPrice: 50_000, upperPrice: 60_000, gridNum: 10, sizingMode: 'quote_per_grid', quotePerGrid: 200, investment: 2_200, leverage: 1 };

describe('GRID controls: /api/grid/bots/:id/levels and /adjust', () => {
  let app: HttpApp;
  let ds: DataSource;
  let env: Record<string, string | undefined>;
  let alice: TestUser;
  let bob: TestUser;
  let accountId: string;
  let botId: string;
  let candles = 0;
  const G = () => request(app.getHttpServer());

  const evaluate = async () => {
    const { port } = await app.get(ExchangeAccountsService).exchangeForAccountId(accountId);
    await port.loadMarkets();
    const results = await app.get(BotEvaluator).evaluateInTransaction([botId], new Map([[accountId, port]]), { now: T0 + 1000 * H1, maxCandleAgeMs: 1e15 });
    return results.get(botId)!;
  };
  const candle = async (close = 55_500) => {
    const time = T0 + candles++ * H1;
    await app.get(BotsRepository).addInput(botId, `candle:${time}`, 'candle', { candle: { time, open: close, high: close + 100, low: close - 100, close, volume: 1 } });
    return evaluate();
  };
  const ordersOf = (): Promise<OrderEntity[]> => app.get(OrdersService).ordersOfBot(botId);
  const fill = async (o: OrderEntity, fee: number) => {
    const price = Number(o.price);
    const amount = Number(o.amount);
    await app.get(OrdersService).record(
      o.id,
      {
        order: { id: `x-${o.id}`, clientOrderId: o.clientOrderId, symbol: PERP, type: 'limit', side: o.side, status: 'closed', amount, filled: amount, remaining: 0, price, average: price, triggerPrice: null, reduceOnly: o.reduceOnly, fee: { cost: fee, currency: 'USDT' } } as never,
        trades: [{ id: `t-${o.id}`, orderId: `x-${o.id}`, clientOrderId: o.clientOrderId, symbol: PERP, side: o.side, price, amount, cost: price * amount, fee, feeCurrency: 'USDT', takerOrMaker: 'maker', timestamp: T0 + candles * H1 }],
      },
      PAPER_MARKETS.get(PERP)!,
    );
  };
  const settingsInputs = async (): Promise<number> => (await ds.query(`SELECT count(*)::int AS n FROM bot_inputs WHERE bot_id = $1 AND kind = 'settings'`, [botId]))[0].n;

  beforeAll(async () => {
    env = testEnv();
    app = await createHttpTestApp(GridApiModule.forRoot({ env }));
    ds = app.get(DataSource);
    alice = await createUserAndLogin(app);
    bob = await createUserAndLogin(app);
    const acc = await G().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'grid-controls', paperBalances: { USDT: '100000' } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    accountId = acc.body.id;
    const bot = await G().post('/api/grid/bots').set('Authorization', bearer(alice)).send({ accountId, symbol: PERP, timeframe: '1h', settings: SETTINGS });
    expect(bot.status, JSON.stringify(bot.body)).toBe(201);
    expect(bot.body.status).toBe('running');
    botId = bot.body.id;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('a running grid: 11 entries; a fill, its take-profit and its re-arm; the levels show each with its history', async () => {
    expect(PAPER_MARKETS.get(PERP)!.amountStep).toBe(0.001); // the amounts below assume it
    const first = await candle();
    expect(first).toMatchObject({ orders: 11, cancels: 0 });
    const buy5 = (await ordersOf()).find((o) => o.intentKey.endsWith(':open:5'))!;
    expect(buy5).toMatchObject({ side: 'buy', price: '55000', amount: '0.003', tag: 'grid_open' });
    await fill(buy5, 0.033);
    expect(await evaluate()).toMatchObject({ orders: 1 }); // the take-profit
    const tp = (await ordersOf()).find((o) => o.tag === 'grid_tp')!;
    expect(tp).toMatchObject({ side: 'sell', price: '56000', amount: '0.003', reduceOnly: true });
    await fill(tp, 0.0336);
    expect(await evaluate()).toMatchObject({ orders: 1 }); // the re-arm of level 5

    const res = await G().get(`/api/grid/bots/${botId}/levels`).set('Authorization', bearer(alice));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ botId, status: 'running', gridStatus: 'running' });
    const levels = res.body.levels as Array<Record<string, unknown>>;
    expect(levels.map((l) => [l.level, l.price, l.side, l.state])).toEqual([
      [0, 50_000, 'long', 'open_order'], [1, 51_000, 'long', 'open_order'], [2, 52_000, 'long', 'open_order'], [3, 53_000, 'long', 'open_order'],
      [4, 54_000, 'long', 'open_order'], [5, 55_000, 'long', 'open_order'], [6, 56_000, 'short', 'open_order'], [7, 57_000, 'short', 'open_order'],
      [8, 58_000, 'short', 'open_order'], [9, 59_000, 'short', 'open_order'], [10, 60_000, 'short', 'open_order'],
    ]);
    expect(levels[5]).toMatchObject({ filledCount: 1, realizedProfit: '2.9334', takeProfit: null, inGrid: true, order: { status: 'PENDING', side: 'buy', price: '55000', amount: '0.003' } });
    expect((levels[5].order as { key: string }).key).toMatch(/>rearm:5:\d+$/);
    expect(levels[6]).toMatchObject({ filledCount: 0, realizedProfit: '0', order: { side: 'sell', price: '56000', status: 'PENDING' } });
  });

  it('adjust: a wider range with the same step cancels nothing; the next candle places only the 5 new levels', async () => {
    const before = await ordersOf();
    const res = await G().post(`/api/grid/bots/${botId}/adjust`).set('Authorization', bearer(alice)).send({ upperPrice: 65_000, gridNum: 15 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.settings).toMatchObject({ ...SETTINGS, upperPrice: 65_000, gridNum: 15 });
    expect(await settingsInputs()).toBe(1); // journaled as a settings change
    expect(await evaluate()).toMatchObject({ decisions: 1, orders: 0, cancels: 0 });
    expect(await candle()).toMatchObject({ orders: 5, cancels: 0 });
    const added = (await ordersOf()).filter((o) => !before.some((b) => b.id === o.id));
    expect(added.map((o) => [o.side, o.price]).sort()).toEqual([['sell', '61000'], ['sell', '62000'], ['sell', '63000'], ['sell', '64000'], ['sell', '65000']]);
  });

  it('adjust: long only cancels exactly the 10 resting sells; the next candle places nothing', async () => {
    const res = await G().post(`/api/grid/bots/${botId}/adjust`).set('Authorization', bearer(alice)).send({ direction: 'long' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await evaluate()).toMatchObject({ orders: 0, cancels: 10 });
    const asked = await ds.query(`SELECT side, price::text AS price FROM orders WHERE bot_id = $1 AND cancel_seq IS NOT NULL ORDER BY price`, [botId]);
    expect(asked.map((o: { side: string; price: string }) => `${o.side}@${o.price}`)).toEqual(
      ['56000', '57000', '58000', '59000', '60000', '61000', '62000', '63000', '64000', '65000'].map((p) => `sell@${p}`),
    );
    expect(await candle()).toMatchObject({ orders: 0, cancels: 0 });
    // the journal (adjusts included) replays through the pure strategy
    expect(await replayBotJournal(env, botId)).toEqual({ identical: true, decisions: expect.any(Number) });
  });

  it("the bot's report: the backtest's HTML page with its candles, the round trip's entry and exit markers, its equity", async () => {
    const res = await G().get(`/api/grid/bots/${botId}/report`).set('Authorization', bearer(alice));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const data = JSON.parse(/var D = (.*);\n/.exec(res.text)![1]) as { candles: unknown[]; equity: unknown[]; markers: Array<{ shape: string }> };
    expect(data.candles).toHaveLength(candles); // every candle the bot decided on, each with its equity snapshot
    expect(data.equity).toHaveLength(candles);
    // the level-5 round trip: bought 0.003 @ 55,000, sold @ 56,000
    expect(data.markers.map((m) => m.shape)).toEqual(['arrowUp', 'arrowDown']);
    expect(res.text).toContain('<td>55000.0000</td><td>56000.0000</td>');
  });

  it('every endpoint of this issue on the grid app is in the OpenAPI document with its error responses', async () => {
    const spec = (await G().get('/docs-json')).body as { paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>> };
    const ours: Array<[string, string]> = [
      ['get', '/api/grid/bots/{id}/levels'],
      ['post', '/api/grid/bots/{id}/adjust'],
      ['get', '/api/grid/bots/{id}/report'],
      ['post', '/api/grid/portfolios'],
      ['get', '/api/grid/portfolios'],
      ['get', '/api/grid/portfolios/{id}'],
      ['post', '/api/grid/portfolios/{id}/start'],
      ['post', '/api/grid/portfolios/{id}/stop'],
      ...['summary', 'daily', 'weekly', 'monthly', 'performance', 'bots/{id}'].map((p): [string, string] => ['get', `/api/stats/${p}`]),
    ];
    for (const [method, path] of ours) {
      const op = spec.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.summary, `${method} ${path}`).toBeTruthy();
      for (const status of ['400', '401']) expect(Object.keys(op!.responses), `${method} ${path}`).toContain(status);
      if (path.includes('{id}') || method === 'post') expect(Object.keys(op!.responses), `${method} ${path}`).toContain('404');
    }
  });

  it('refusals: a clear 4xx in the standard error shape, nothing journaled', async () => {
    const n = await settingsInputs();
    const post = (u: TestUser, body: object) => G().post(`/api/grid/bots/${botId}/adjust`).set('Authorization', bearer(u)).send(body);
    const expectError = (res: request.Response, status: number, code: string) => {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }));
    };
    expectError(await post(alice, {}), 400, 'BAD_REQUEST');
    expectError(await post(alice, { gridNum: 0, direction: 'up' }), 400, 'VALIDATION_FAILED');
    expectError(await post(alice, { mode: 'adaptive' }), 400, 'VALIDATION_FAILED'); // not an adjustable field
    expectError(await post(alice, { lowerPrice: 70_000 }), 400, 'STRATEGY_SETTINGS_INVALID'); // above the upper price
    expectError(await post(bob, { gridNum: 12 }), 404, 'NOT_FOUND');
    expectError(await G().get(`/api/grid/bots/${botId}/levels`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expect((await G().get('/api/grid/bots/nope/levels').set('Authorization', bearer(alice))).status).toBe(400);
    expect(await settingsInputs()).toBe(n);
  });
});
