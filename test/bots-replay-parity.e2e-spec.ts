import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotsRepository, BotsService } from '@tb/bots';
import { MarketCandlesRepository } from '@tb/market';
import type { Fill } from '@tb/strategies';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, backtestReference, expectJournalReplays, expectSameFills, expectSameTrades } from './support/bots';

/**
 * Parity, end to end: a paper bot on a replay feed runs through the whole runtime — worker → BullMQ → PostgreSQL
 * (bot row, inbox, journal) → OMS (orders, fills) → paper exchange (the matching engine walking each candle,
 * pausing at every fill until the bot has reacted) → fills → strategy — and must trade exactly like `runBacktest`
 * on the same candles, settings, starting balance and market rules. The reference is the backtester called
 * directly (no database, no queue). Real BTC/USDT 1h candles of 2024, relabelled as the perpetual.
 */

const N = 2_000;
/** GRID trades every few candles (a fill = a pause, an evaluation and an order round trip); `BOTS_PARITY_GRID_CANDLES` shortens it locally */
const N_GRID = Number(process.env.BOTS_PARITY_GRID_CANDLES ?? N);
const TF = REPLAY_TF;
const SYMBOL = REPLAY_SYMBOL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a replay paper bot trades exactly like the backtest (whole runtime)', () => {
  let api: HttpApp;
  let worker: HttpApp;
  let alice: TestUser;
  const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, N);
  const http = () => request(api.getHttpServer());

  beforeAll(async () => {
    api = await createHttpTestApp({ module: class Root {}, imports: [HyperrsiApiModule.forRoot({ env: testEnv() })] });
    await api.get(MarketCandlesRepository).upsert(REPLAY_SOURCE, SYMBOL, TF, candles);
    alice = await createUserAndLogin(api);
    worker = await createHttpTestApp(WorkerModule.forRoot({ env: testEnv() }), false);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const runBot = async (strategy: 'hyperrsi' | 'grid', settings: Record<string, unknown>, n: number) => {
    const acc = await http().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: `replay-${strategy}-${Date.now()}`, paperBalances: { USDT: '10000' } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    const bots = worker.get(BotsService);
    const bot = await bots.create(alice.userId, strategy, {
      accountId: acc.body.id,
      symbol: SYMBOL,
      timeframe: TF,
      settings,
      feed: { kind: 'replay', from: candles[0].time, to: candles[n - 1].time, speed: null },
    });
    expect(bot.status).toBe('running');
    const deadline = performance.now() + 480_000;
    for (;;) {
      const b = await worker.get(BotsRepository).findById(bot.id);
      if (b!.status === 'stopped') break;
      if (performance.now() > deadline) throw new Error(`replay did not finish: ${JSON.stringify({ status: b!.status, last: b!.lastCandleTime, decisions: b!.decisions })}`);
      await sleep(250);
    }
    return bot.id;
  };

  const check = async (strategy: 'hyperrsi' | 'grid', settings: Record<string, unknown>, leverage: number, n = N, liquidations = 0): Promise<void> => {
    const expectedFills: Fill[] = [];
    const expected = backtestReference(strategy, settings, leverage, candles.slice(0, n), expectedFills);
    expect(expected.trades.length).toBeGreaterThan(5);
    expect(expectedFills.filter((f) => f.tag === 'liquidation')).toHaveLength(liquidations);
    const botId = await runBot(strategy, settings, n);
    // every fill the strategy was handed: same order, key, side, time, amount; price and fee to 1e-8
    await expectSameFills(worker.get(BotsRepository), botId, expectedFills);
    // the backtest closes what is still open at the end (end_of_data); the replay bot stops holding it. GRID's trades are
    // its per-level round trips (one per reducing fill), folded by the same tracker on both sides
    await expectSameTrades(worker.get(BotsService), botId, expected);
    // one decision per candle, and the journal replays identically through the pure strategy; a journal edited by hand is caught
    await expectJournalReplays(worker.get(BotsRepository), botId, strategy, n);
  };

  it('HYPERRSI on a 10x perpetual', async () => {
    await check('hyperrsi', { leverage: 10 }, 10);
  }, 600_000);

  // 3x: the March 2024 rally liquidates the short (the backtest's fill 162 of 162, candle 1695): the paper exchange's
  // liquidation order reaches the bot through the OMS as the same 'short:liquidation:<time>' fill its backtest saw
  it('GRID, adaptive long-short on a 3x perpetual, through a liquidation', async () => {
    await check('grid', { direction: 'long-short', leverage: 3, investment: 3000 }, 3, N_GRID, N_GRID >= 1_700 ? 1 : 0);
  }, 600_000);

  it('GRID, range grid', async () => {
    await check('grid', { mode: 'range', lowerPrice: 38_000, upperPrice: 52_000, gridNum: 14, leverage: 2, investment: 4000 }, 2, N_GRID);
  }, 600_000);
});
