import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotsRepository, type NewBot } from '@tb/bots';
import { OrdersRepository } from '@tb/orders';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { newFill, newOrder } from './support/factories';

/**
 * /api/stats/* on both apps and GET /api/{grid|hyperrsi}/bots/:id/report, on real PostgreSQL: a fixture of fills
 * written through the OMS repository, the statistics compared with a hand computation.
 *
 * BTC/USDT:USDT, manual orders (a trade = the position's lifecycle):
 *   2025-01-01 22:00 buy 0.2 @ 50000 fee 2; 23:30 sell 0.1 @ 51000 fee 1.02 (partial close: +100);
 *   2025-01-02 00:30 sell 0.1 @ 49000 fee 0.98 (closes: −100) → trade 100 − 100 − 4 = −4
 * ETH/USDT:USDT, alice's GRID bot (a trade per reducing fill):
 *   2025-01-02 01:00 buy 1 @ 3000 fee 0.6; 02:00 buy 1 @ 2900 fee 0.58 (avg 2950); 03:00 sell 1 @ 3010 fee 0.602
 *   → realized 60, trade 60 − 0.602 − 1.18/2 = 58.808; 1 ETH open @ 2950, last candle close 3100 → unrealized 150;
 *   funding 1.5 on its position
 * user: realized 60, fees 5.782, net 60 − 5.782 − 1.5 = 52.718, trades 2 (1 win), profit factor 58.808 / 4 = 14.702
 * daily: 2025-01-01 net 100 − 3.02 = 96.98; 2025-01-02 net −40 − 2.762 = −42.762
 * bot equity snapshots 1000, 1100, 990, 1050, 880, 1200 → max drawdown 1100 − 880 = 220 = 20 % of the peak
 */

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const H1 = 3_600_000;
const T0 = Date.UTC(2025, 0, 2); // the grid bot's first candle
const EQUITY = ['1000', '1100', '990', '1050', '880', '1200'];
const CLOSES = [3000, 2950, 2900, 3010, 3050, 3100];

describe('statistics and bot reports (/api/stats, /bots/:id/report)', () => {
  let hyperrsi: HttpApp;
  let grid: HttpApp;
  let alice: TestUser;
  let bob: TestUser;
  let gridBot: string;
  let rsiBot: string;
  const H = () => request(hyperrsi.getHttpServer());
  const G = () => request(grid.getHttpServer());

  const expectError = (res: request.Response, status: number, code: string): void => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }));
  };

  beforeAll(async () => {
    const env = testEnv();
    hyperrsi = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    grid = await createHttpTestApp(GridApiModule.forRoot({ env }));
    alice = await createUserAndLogin(hyperrsi);
    bob = await createUserAndLogin(hyperrsi);
    const acc = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'stats', paperBalances: { USDT: '10000' } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    const accountId = acc.body.id as string;

    const bots = hyperrsi.get(BotsRepository);
    const market = { symbol: ETH, type: 'perp' as const, tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
    const bot = (strategy: 'grid' | 'hyperrsi', symbol: string): NewBot => ({
      id: randomUUID(),
      userId: alice.userId,
      accountId,
      strategy,
      symbol,
      timeframe: '1h',
      settings: { investment: 1000 },
      feed: { kind: 'live' },
      market: { ...market, symbol },
      status: 'stopped',
      protections: { maxDrawdownPct: null, allocation: null, stopLossGuard: null, dailyLossLimit: null, pauseOnRejection: true } as never,
    });
    const g = bot('grid', ETH);
    const r = bot('hyperrsi', BTC);
    await bots.insert(g);
    await bots.insert(r);
    gridBot = g.id;
    rsiBot = r.id;
    for (let i = 0; i < CLOSES.length; i++) {
      const time = T0 + i * H1;
      const c = CLOSES[i];
      const candle = { time, open: c - 10, high: c + 20, low: c - 20, close: c, volume: 1 };
      await bots.insertDecisions([{ botId: gridBot, seq: i + 1, inputKey: `candle:${time}`, input: { kind: 'candle', candle, expire: null }, intents: [], expired: [], stateHash: '0'.repeat(64) }]);
      await bots.upsertEquities([{ botId: gridBot, time, equity: EQUITY[i], realized: '0', fees: '0' }]);
    }

    const orders = hyperrsi.get(OrdersRepository);
    const at = (iso: string) => new Date(iso);
    const fixture: Array<{ botId: string | null; symbol: string; side: 'buy' | 'sell'; amount: string; price: string; fee: string; time: Date }> = [
      { botId: null, symbol: BTC, side: 'buy', amount: '0.2', price: '50000', fee: '2', time: at('2025-01-01T22:00:00Z') },
      { botId: null, symbol: BTC, side: 'sell', amount: '0.1', price: '51000', fee: '1.02', time: at('2025-01-01T23:30:00Z') },
      { botId: null, symbol: BTC, side: 'sell', amount: '0.1', price: '49000', fee: '0.98', time: at('2025-01-02T00:30:00Z') },
      { botId: gridBot, symbol: ETH, side: 'buy', amount: '1', price: '3000', fee: '0.6', time: at('2025-01-02T01:00:00Z') },
      { botId: gridBot, symbol: ETH, side: 'buy', amount: '1', price: '2900', fee: '0.58', time: at('2025-01-02T02:00:00Z') },
      { botId: gridBot, symbol: ETH, side: 'sell', amount: '1', price: '3010', fee: '0.602', time: at('2025-01-02T03:00:00Z') },
    ];
    for (const f of fixture) {
      const { order } = await orders.insertPending(
        newOrder(alice.userId, accountId, { botId: f.botId, symbol: f.symbol, side: f.side, amount: f.amount, type: 'limit', price: f.price, reduceOnly: f.side === 'sell' }) as never,
      );
      await orders.insertFills([newFill(order, { price: f.price, amount: f.amount, fee: f.fee, feeQuote: f.fee, executedAt: f.time }) as never]);
    }
    const ds = hyperrsi.get(DataSource);
    await ds.query(
      `INSERT INTO positions (user_id, account_id, symbol, side, bot_key, size, average_entry, funding, opened_at) VALUES ($1, $2, $3, 'long', $4, 1, 2950, 1.5, $5)`,
      [alice.userId, accountId, ETH, gridBot, at('2025-01-02T01:00:00Z')],
    );
  }, 120_000);

  afterAll(async () => {
    await grid?.close();
    await hyperrsi?.close();
  });

  it("a user's totals equal the hand computation, on both apps", async () => {
    const h = await H().get('/api/stats/summary').set('Authorization', bearer(alice));
    expect(h.status, JSON.stringify(h.body)).toBe(200);
    expect(h.body.totals).toEqual({
      realizedPnl: '60',
      fees: '5.782',
      funding: '1.5',
      netPnl: '52.718',
      unrealizedPnl: '150',
      volume: '28910',
      fills: 6,
      trades: 2,
      wins: 1,
      losses: 1,
      winRatePct: '50',
      grossProfit: '58.808',
      grossLoss: '4',
      profitFactor: '14.702',
    });
    expect(h.body.open).toEqual([{ symbol: ETH, side: 'long', botId: gridBot, size: '1', averageEntry: '2950', mark: '3100', unrealizedPnl: '150' }]);
    const g = await G().get('/api/stats/summary').set('Authorization', bearer(alice));
    expect(g.status).toBe(200);
    expect(g.body).toEqual(h.body);
  });

  it('daily PnL across the UTC midnight; weekly, monthly; one symbol; the last `limit` periods', async () => {
    const d = await G().get('/api/stats/daily').set('Authorization', bearer(alice));
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body).toEqual({
      period: 'day',
      items: [
        { period: '2025-01-01', realizedPnl: '100', fees: '3.02', netPnl: '96.98', trades: 0, volume: '15100' },
        { period: '2025-01-02', realizedPnl: '-40', fees: '2.762', netPnl: '-42.762', trades: 2, volume: '13810' },
      ],
    });
    // BTC alone: 2025-01-02 holds the closing fill: −100 − 0.98 = −100.98 and the lifecycle trade
    const btc = await H().get('/api/stats/daily').query({ symbol: BTC }).set('Authorization', bearer(alice));
    expect(btc.body.items.map((r: { period: string; netPnl: string; trades: number }) => [r.period, r.netPnl, r.trades])).toEqual([
      ['2025-01-01', '96.98', 0],
      ['2025-01-02', '-100.98', 1],
    ]);
    const last = await H().get('/api/stats/daily').query({ limit: 1 }).set('Authorization', bearer(alice));
    expect(last.body.items.map((r: { period: string }) => r.period)).toEqual(['2025-01-02']);
    const w = await H().get('/api/stats/weekly').set('Authorization', bearer(alice));
    expect(w.body.items).toEqual([{ period: '2024-12-30', realizedPnl: '60', fees: '5.782', netPnl: '54.218', trades: 2, volume: '28910' }]);
    const m = await G().get('/api/stats/monthly').set('Authorization', bearer(alice));
    expect(m.body.items.map((r: { period: string; netPnl: string }) => [r.period, r.netPnl])).toEqual([['2025-01', '54.218']]);
  });

  it('performance per symbol, best net first', async () => {
    const p = await H().get('/api/stats/performance').set('Authorization', bearer(alice));
    expect(p.status).toBe(200);
    // ETH: 60 − 1.782 − 1.5 = 56.718 (1 trade, a win); BTC: −4 (1 trade, a loss)
    expect(p.body.items.map((r: { symbol: string; netPnl: string; trades: number; winRatePct: string }) => [r.symbol, r.netPnl, r.trades, r.winRatePct])).toEqual([
      [ETH, '56.718', 1, '100'],
      [BTC, '-4', 1, '0'],
    ]);
  });

  it("a bot's statistics with the max drawdown of its equity", async () => {
    const b = await G().get(`/api/stats/bots/${gridBot}`).set('Authorization', bearer(alice));
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body.totals).toMatchObject({ realizedPnl: '60', fees: '1.782', funding: '1.5', netPnl: '56.718', unrealizedPnl: '150', trades: 1, wins: 1, profitFactor: null });
    expect(b.body.equity).toEqual({
      points: 6,
      first: '1000',
      last: '1200',
      maxDrawdown: '220',
      maxDrawdownPct: '20',
      peakTime: new Date(T0 + H1).toISOString(),
      troughTime: new Date(T0 + 4 * H1).toISOString(),
    });
    const viaQuery = await H().get('/api/stats/summary').query({ botId: gridBot }).set('Authorization', bearer(alice));
    expect(viaQuery.body.totals).toEqual(b.body.totals);
  });

  it('the bot report: the backtest HTML report with its candles, equity and trades; per strategy app', async () => {
    const res = await G().get(`/api/grid/bots/${gridBot}/report`).set('Authorization', bearer(alice));
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('Backtest: grid · ETH/USDT:USDT · 1h');
    expect(res.text).toContain('LightweightCharts');
    // the 6 candles from the journal and the equity curve, with its drawdown (−20 % at the trough)
    const data = JSON.parse(/var D = (.*);\n/.exec(res.text)![1]) as { candles: unknown[]; equity: Array<[number, number]> };
    expect(data.candles).toHaveLength(6);
    expect(data.equity.map((p) => p[1])).toEqual(EQUITY.map(Number));
    expect((JSON.parse(/var D = (.*);\n/.exec(res.text)![1]) as { drawdown: Array<[number, number]> }).drawdown.map((p) => p[1])).toContain(-20);
    // its trades are the bot's closed trades (GET /trades). A GRID trade is one reducing fill (per-level round trips, as
    // in its backtests): the sell of 1 ETH at 3010 against the average entry (3000 + 2900) / 2 = 2950 →
    // 60 realized − its fee 0.602 − half the entry fees (0.6 + 0.58) / 2 = 0.59 → PnL 58.808, fees 1.192
    const trades = await G().get(`/api/grid/bots/${gridBot}/trades`).set('Authorization', bearer(alice));
    expect(trades.body.trades).toHaveLength(1);
    const [t] = trades.body.trades as Array<{ entryPrice: number; exitPrice: number; qty: number; pnl: number; fees: number }>;
    expect({ entryPrice: t.entryPrice, exitPrice: t.exitPrice, qty: t.qty }).toEqual({ entryPrice: 2950, exitPrice: 3010, qty: 1 });
    expect(t.pnl).toBeCloseTo(58.808, 9);
    expect(t.fees).toBeCloseTo(1.192, 9);
    expect(res.text).toContain('<tr><td>Total trades</td><td>1</td></tr>');
    // the other strategy's app does not know the bot
    expectError(await H().get(`/api/hyperrsi/bots/${gridBot}/report`).set('Authorization', bearer(alice)), 404, 'NOT_FOUND');
    const empty = await H().get(`/api/hyperrsi/bots/${rsiBot}/report`).set('Authorization', bearer(alice));
    expect(empty.status).toBe(200); // a bot that has not decided yet: an empty report, not an error
  });

  it("another user's bot is 404 everywhere; another user sees nothing of alice's", async () => {
    expectError(await G().get(`/api/stats/bots/${gridBot}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await G().get('/api/stats/summary').query({ botId: gridBot }).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await G().get('/api/stats/daily').query({ botId: gridBot }).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await G().get(`/api/grid/bots/${gridBot}/report`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    const s = await G().get('/api/stats/summary').set('Authorization', bearer(bob));
    expect(s.body.totals).toMatchObject({ realizedPnl: '0', fees: '0', fills: 0, trades: 0 });
    expect(s.body.open).toEqual([]);
  });

  it('bad input: 400 in the standard error shape; no token: 401', async () => {
    expectError(await H().get('/api/stats/summary').query({ symbol: 'btc-usdt' }).set('Authorization', bearer(alice)), 400, 'VALIDATION_FAILED');
    expectError(await H().get('/api/stats/daily').query({ limit: 0 }).set('Authorization', bearer(alice)), 400, 'VALIDATION_FAILED');
    expectError(await H().get('/api/stats/summary').query({ botId: 'nope' }).set('Authorization', bearer(alice)), 400, 'VALIDATION_FAILED');
    expect((await H().get('/api/stats/bots/nope').set('Authorization', bearer(alice))).status).toBe(400);
    expect((await H().get('/api/stats/summary')).status).toBe(401);
  });
});
