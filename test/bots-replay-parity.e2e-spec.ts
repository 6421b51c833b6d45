import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult, type TradeRecord } from '@tb/backtest';
import { BotsRepository, BotsService, botStrategy, replayJournal, type JournalEntry, type JournalInput } from '@tb/bots';
import { PAPER_MARKETS } from '@tb/exchange';
import { MarketCandlesRepository } from '@tb/market';
import type { Fill, Intent, MarketSpec, Strategy, Timeframe } from '@tb/strategies';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * Parity, end to end: a paper bot on a replay feed runs through the whole runtime — worker → BullMQ → PostgreSQL
 * (bot row, inbox, journal) → OMS (orders, fills) → paper exchange (the matching engine walking each candle,
 * pausing at every fill until the bot has reacted) → fills → strategy — and must trade exactly like `runBacktest`
 * on the same candles, settings, starting balance and market rules. The reference is the backtester called
 * directly (no database, no queue). Real BTC/USDT 1h candles of 2024, relabelled as the perpetual.
 */

const N = 2_000;
/** GRID trades every few candles (a fill = a pause, an evaluation and an order round trip): a shorter window in CI */
const N_GRID = Number(process.env.BOTS_PARITY_GRID_CANDLES ?? 300);
const TF: Timeframe = '1h';
const SYMBOL = 'BTC/USDT:USDT';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingFills(inner: Strategy<unknown, unknown>, out: Fill[]): Strategy<unknown, unknown> {
  return {
    ...inner,
    onFill(state, fill) {
      out.push(fill);
      return inner.onFill(state, fill);
    },
  };
}

describe('a replay paper bot trades exactly like the backtest (whole runtime)', () => {
  let api: NestExpressApplication;
  let worker: NestExpressApplication;
  let alice: TestUser;
  const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, N);
  const market = PAPER_MARKETS.get(SYMBOL)!;
  const spec: MarketSpec = { symbol: SYMBOL, type: 'perp', tickSize: market.tickSize, amountStep: market.amountStep, minAmount: market.minAmount, minNotional: market.minNotional };
  const http = () => request(api.getHttpServer());

  beforeAll(async () => {
    api = await createHttpTestApp({ module: class Root {}, imports: [HyperrsiApiModule.forRoot({ env: testEnv() })] });
    await api.get(MarketCandlesRepository).upsert('binanceusdm', SYMBOL, TF, candles);
    alice = await createUserAndLogin(api);
    worker = await createHttpTestApp(WorkerModule.forRoot({ env: testEnv() }), false);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  /** The backtest, with every fill its strategy was handed recorded (the bot's journal holds the same inputs). */
  const backtest = (strategy: 'hyperrsi' | 'grid', settings: Record<string, unknown>, leverage: number, n: number, fills: Fill[]): BacktestResult =>
    runBacktest({
      strategy: recordingFills(botStrategy(strategy), fills),
      settings,
      candles: candles.slice(0, n),
      market: spec,
      timeframe: TF,
      initialBalance: 10_000,
      feeMaker: market.makerFee ?? 0,
      feeTaker: market.takerFee ?? 0,
      slippage: 0.0005,
      leverage,
      limitFill: 'through',
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

  const comparable = (t: TradeRecord) => ({ ...t, reason: t.reason === 'end_of_data' ? 'end_of_data' : t.reason });

  const check = async (strategy: 'hyperrsi' | 'grid', settings: Record<string, unknown>, leverage: number, n = N): Promise<void> => {
    const expectedFills: Fill[] = [];
    const expected = backtest(strategy, settings, leverage, n, expectedFills);
    expect(expected.trades.length).toBeGreaterThan(5);
    const botId = await runBot(strategy, settings, n);
    // every fill the strategy was handed: same order, key, side, time, amount; price and fee to 1e-8
    const journalFills = (await worker.get(BotsRepository).listDecisions(botId, 0, 1_000_000)).filter((d) => d.kind === 'fill').map((d) => (d.input as { fill: Fill }).fill);
    const cut = (f: Fill) => ({ key: f.key.slice(f.key.indexOf(':')), side: f.side, positionSide: f.positionSide, time: f.time, amount: f.amount, tag: f.tag });
    expect(journalFills.length).toBe(expectedFills.filter((f) => f.tag !== 'end_of_data').length);
    for (let i = 0; i < journalFills.length; i++) {
      expect(cut(journalFills[i])).toEqual(cut(expectedFills[i]));
      expect(Math.abs(journalFills[i].price - expectedFills[i].price), `fill ${i} price`).toBeLessThanOrEqual(1e-8 * expectedFills[i].price);
      expect(Math.abs(journalFills[i].fee - expectedFills[i].fee), `fill ${i} fee`).toBeLessThanOrEqual(1e-8 * Math.max(1, expectedFills[i].fee));
    }
    if (strategy === 'grid') return; // GRID's backtest trades are per-level round trips (its own tracker); the fills above are the proof
    const got = await worker.get(BotsService).tradesOf(botId);
    // the backtest closes what is still open at the end (end_of_data); the replay bot stops holding it
    const closed = expected.trades.filter((t) => t.reason !== 'end_of_data');
    expect(got.trades.length).toBe(closed.length);
    for (let i = 0; i < closed.length; i++) {
      const a = got.trades[i];
      const e = comparable(closed[i]);
      expect({ i, entryTime: a.entryTime, exitTime: a.exitTime, side: a.side, reason: a.reason, dca: a.dcaCount }).toEqual({
        i,
        entryTime: e.entryTime,
        exitTime: e.exitTime,
        side: e.side,
        reason: e.reason,
        dca: e.dcaCount,
      });
      for (const k of ['entryPrice', 'exitPrice', 'qty', 'fees', 'pnl'] as const) expect(Math.abs(a[k] - e[k]), `trade ${i} ${k}: ${a[k]} vs ${e[k]}`).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(e[k])));
    }
    // one decision per candle, and the journal replays identically through the pure strategy
    const repo = worker.get(BotsRepository);
    const kinds = await repo.countDecisionsByKind(botId);
    expect(kinds.candle).toBe(n);
    const entries: JournalEntry[] = [];
    for (let after = 0; ; ) {
      const page = await repo.listDecisions(botId, after, 5000);
      if (!page.length) break;
      for (const d of page) entries.push({ seq: Number(d.seq), input: d.input as JournalInput, intents: d.intents as Intent[], stateHash: d.stateHash });
      after = Number(page[page.length - 1].seq);
    }
    expect(replayJournal(botStrategy(strategy), entries)).toEqual({ identical: true, decisions: entries.length });
    // a journal edited by hand is caught
    const tampered = entries.map((e) => (e.input.kind === 'candle' && e.seq === entries[Math.floor(entries.length / 2)].seq ? { ...e, input: { ...e.input, candle: { ...e.input.candle, close: e.input.candle.close * 1.01 } } } : e));
    expect(replayJournal(botStrategy(strategy), tampered).identical).toBe(false);
  };

  it('HYPERRSI on a 10x perpetual', async () => {
    await check('hyperrsi', { leverage: 10 }, 10);
  }, 600_000);

  it('GRID, adaptive long-short on a 3x perpetual', async () => {
    await check('grid', { direction: 'long-short', leverage: 3, investment: 3000 }, 3, N_GRID);
  }, 600_000);

  it('GRID, range grid', async () => {
    await check('grid', { mode: 'range', lowerPrice: 38_000, upperPrice: 52_000, gridNum: 14, leverage: 2, investment: 4000 }, 2, N_GRID);
  }, 600_000);
});
