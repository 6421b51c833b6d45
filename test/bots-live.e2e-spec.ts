import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExchangeAccountsService } from '@tb/accounts';
import { runBacktest } from '@tb/backtest';
import { BotCommandsService, BotFeedService, BotsRepository, BotsService, WARMUP_CANDLES, botStrategy, replayJournal, type JournalInput, type LiveFeed } from '@tb/bots';
import { clientOrderIdFromKey } from '@tb/exchange';
import { JobsProducer, QueueName } from '@tb/jobs';
import { MarketCandlesRepository } from '@tb/market';
import { OrdersReconciler } from '@tb/orders';
import type { Candle, Intent } from '@tb/strategies';
import { UsersService } from '@tb/users';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BotsFeedScheduler } from '../apps/worker/src/bots/bots-feed.scheduler';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { createIsolatedDatabase } from './support/isolated-db';
import { journalOf } from './support/bots';
import { startFakeBinance, type FakeBinance } from './support/fake-exchange/fake-binance.server';
import type { FaultKind } from './support/fake-exchange/fake-binance.faults';

/**
 * Live bots through the real runtime (docs/adr/0010-bot-runtime.md): worker(s) in this process → BullMQ →
 * PostgreSQL (bot row, inbox, journal) → OMS → exchange. The test plays the live feed: it stores the candles and
 * calls `BotFeedService.candleClosed` as the feed scheduler does after each close (the workers' own schedulers are
 * stopped, so nothing else feeds the bots). Paper accounts price market orders from the public ticker, pointed at
 * the local fake Binance (EXCHANGE_API_URLS) like the real account of the fault test.
 *
 * Real BTC/USDT 1h candles of 2024, relabelled so that the last one closed at the latest hour boundary: the
 * runtime judges staleness by the wall clock. Everything runs in a database and Redis prefix of its own (the
 * reconciler and the feed see every bot of their database).
 */

const SYMBOL = 'BTC/USDT';
const FEED_EXCHANGE = 'binance'; // where a paper (and a binance) account's spot candles are read
const TF = '1h' as const;
const H = 3_600_000;
const LEN = 1_100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** HYPERRSI long-only on spot, entering whenever RSI is under 60 (no trend gate), a small take-profit: it trades every few candles */
const ACTIVE_HYPERRSI = { direction: 'long', leverage: 1, investment: 300, entry_option: 'in_zone', rsi_oversold: 60, rsi_overbought: 70, use_trend_logic: false, tp1_value: 0.5 };

const lastClose = Math.floor(Date.now() / H) * H;
const raw = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, LEN);
const shift = lastClose - H - raw[LEN - 1].time;
const candles: Candle[] = raw.map((c) => ({ ...c, time: c.time + shift }));

describe('live bots: two workers, downtime, exchange faults', () => {
  let db: { url: string; drop: () => Promise<void> };
  let fake: FakeBinance;
  let api: HttpApp;
  const workers: HttpApp[] = [];
  let ds: DataSource;
  let userId: string;
  const redisPrefix = `${inject('redisPrefix')}:live`;

  const env = (maxCandleAgeMs: number) =>
    testEnv({
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls, binanceusdm: fake.ccxtUrls }),
      EXCHANGE_RATE_LIMIT_MS: '1',
      EXCHANGE_TIMEOUT_MS: '1000',
      OMS_PENDING_GRACE_MS: '1000',
      BOTS_MAX_CANDLE_AGE_MS: String(maxCandleAgeMs),
    });

  const bootWorker = async (maxCandleAgeMs: number): Promise<HttpApp> => {
    const w = await createHttpTestApp(WorkerModule.forRoot({ env: env(maxCandleAgeMs) }), false);
    // the test is the live feed: the worker's own scheduler would poll the (fake) exchange for the current hour
    void w.get(BotsFeedScheduler).beforeApplicationShutdown();
    workers.push(w);
    return w;
  };

  /** a failed test leaves its workers running: they would take the next test's jobs with their own settings */
  const closeWorkers = async (): Promise<void> => {
    for (const w of workers.splice(0)) await w.close();
  };

  const paperAccount = async (label: string): Promise<string> =>
    (await api.get(ExchangeAccountsService).add(userId, { exchange: 'paper', label, paperBalances: { USDT: '100000' } })).id;

  /** the feed of these bots only (the database holds the other tests' bots too) */
  const feedOf = async (w: HttpApp, botIds: readonly string[]): Promise<LiveFeed> => {
    const feeds = await w.get(BotFeedService).liveFeeds();
    const feed = feeds.find((f) => f.key.exchange === FEED_EXCHANGE && f.key.symbol === SYMBOL && f.key.timeframe === TF)!;
    return { key: feed.key, bots: feed.bots.filter((b) => botIds.includes(b.id)) };
  };

  const waitDecided = async (w: HttpApp, botIds: readonly string[], time: number, timeoutMs = 120_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const bots = await Promise.all(botIds.map((id) => w.get(BotsRepository).findById(id)));
      const counts = await w.get(JobsProducer).queue(QueueName.Bots).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const busy = Object.values(counts).reduce((a, b) => a + b, 0);
      if (bots.every((b) => b!.lastCandleTime !== null && Number(b!.lastCandleTime) >= time) && busy === 0) return;
      if (Date.now() > deadline) throw new Error(`bots did not decide ${new Date(time).toISOString()}: ${JSON.stringify({ counts, last: bots.map((b) => [b!.status, b!.lastCandleTime, b!.statusReason]) })}`);
      await sleep(200);
    }
  };

  const one = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await ds.query(sql, params)) as T[];

  beforeAll(async () => {
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'botslive');
    fake = await startFakeBinance({ balances: { USDT: 1_000_000, BTC: 10 }, prices: { BTCUSDT: candles[LEN - 1].close } });
    api = await createHttpTestApp({ module: class Root {}, imports: [HyperrsiApiModule.forRoot({ env: env(86_400_000) })] });
    ds = api.get(DataSource);
    await api.get(MarketCandlesRepository).upsert(FEED_EXCHANGE, SYMBOL, TF, candles);
    userId = (await api.get(UsersService).createUser({ email: `live-${Date.now()}@test.example`, password: 'pw-live-bots-123456', role: 'trader' })).id;
  }, 180_000);

  afterAll(async () => {
    await closeWorkers();
    await api?.close();
    await fake?.close();
    await db?.drop();
  });

  it('two workers fanning out the same closes (and extra jobs): one decision per candle, no duplicate order', async () => {
    // every live candle within a day: their orders are sent
    const [w1, w2] = [await bootWorker(86_400_000), await bootWorker(86_400_000)];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const accountId = await paperAccount(`two-workers-${i}`);
      const bot = await w1.get(BotsService).create(userId, 'hyperrsi', { accountId, symbol: SYMBOL, timeframe: TF, settings: { ...ACTIVE_HYPERRSI, rsi_oversold: 58 + 2 * i }, feed: { kind: 'live' }, start: true });
      expect(bot.status).toBe('running');
      ids.push(bot.id);
    }
    const first = LEN - 21;
    for (let k = first; k < LEN; k++) {
      const t = candles[k].time;
      const [f1, f2] = [await feedOf(w1, ids), await feedOf(w2, ids)];
      const now = Date.now();
      // both workers fan out the same close at once; each also queues evaluations with ids of its own
      await Promise.all([
        w1.get(BotFeedService).candleClosed(f1, t, now),
        w2.get(BotFeedService).candleClosed(f2, t, now),
        ...ids.flatMap((botId) => [
          w1.get(JobsProducer).enqueue('bots.evaluate', { botId }, { jobId: `${botId}.extra.w1.${k}` }),
          w2.get(JobsProducer).enqueue('bots.evaluate', { botId }, { jobId: `${botId}.extra.w2.${k}` }),
        ]),
      ]);
      await sleep(k % 3 === 0 ? 0 : 150); // some closes overlap the previous evaluations, some not
    }
    await waitDecided(w1, ids, candles[LEN - 1].time);

    let orders = 0;
    for (const botId of ids) {
      // candles: the warm-up before the first close, then every close once
      const kinds = await w1.get(BotsRepository).countDecisionsByKind(botId);
      expect(kinds.candle).toBe(WARMUP_CANDLES + (LEN - first));
      expect(await one('SELECT input_key, count(*)::int AS n FROM bot_decisions WHERE bot_id = $1 GROUP BY input_key HAVING count(*) > 1', [botId])).toEqual([]);
      const [seq] = await one<{ lo: number; hi: number; n: number }>('SELECT min(seq)::int AS lo, max(seq)::int AS hi, count(*)::int AS n FROM bot_decisions WHERE bot_id = $1', [botId]);
      expect(seq).toEqual({ lo: 1, hi: seq.n, n: seq.n });
      expect(await one('SELECT intent_key, count(*)::int AS n FROM orders WHERE bot_id = $1 GROUP BY intent_key HAVING count(*) > 1', [botId])).toEqual([]);
      const entries = await journalOf(w1.get(BotsRepository), botId);
      const times = entries.filter((e) => e.input.kind === 'candle').map((e) => (e.input as Extract<JournalInput, { kind: 'candle' }>).candle.time);
      expect(times).toEqual(candles.slice(first - WARMUP_CANDLES, LEN).map((c) => c.time));
      expect(replayJournal(botStrategy('hyperrsi'), entries)).toEqual({ identical: true, decisions: entries.length });
      orders += (await one<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE bot_id = $1', [botId]))[0].n;
    }
    console.log(`two workers: bots=${ids.length} closes=${LEN - first} orders=${orders}`);
    expect(orders).toBeGreaterThan(0); // the bots did trade: "no duplicate order" was put to the test
    for (const botId of ids) await w1.get(BotsService).stop(userId, botId);
    await Promise.all([w1.close(), w2.close()]);
    workers.length = 0;
  }, 300_000);

  it('downtime: the missed candles are fed in order, and no order is sent for a stale one', async () => {
    const firstClose = LEN - 50; // first fan-out: WARMUP_CANDLES warm-up candles before it
    await closeWorkers();
    const lastBeforeDowntime = LEN - 47;
    const missed = { from: LEN - 46, to: LEN - 2 }; // the worker is down for these closes
    // the last candle closed less than an hour ago; every other one is more than an hour older: the maximum age separates them
    const ageOfLast = Date.now() - (candles[LEN - 1].time + H);
    const maxAge = ageOfLast + 15 * 60_000;

    // the setting does trade in the missed window: the backtest on the same candles enters there
    const bt = runBacktest({
      strategy: botStrategy('hyperrsi'),
      settings: ACTIVE_HYPERRSI,
      candles: candles.slice(firstClose - WARMUP_CANDLES),
      market: { symbol: SYMBOL, type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 },
      timeframe: TF,
      initialBalance: 100_000,
      feeMaker: 0.001,
      feeTaker: 0.001,
      slippage: 0,
      leverage: 1,
      limitFill: 'through',
    });
    const inWindow = bt.trades.filter((t) => t.entryTime >= candles[missed.from].time && t.entryTime <= candles[missed.to].time + H);
    expect(inWindow.length).toBeGreaterThan(0);

    let w = await bootWorker(maxAge);
    const accountId = await paperAccount('downtime');
    const bot = await w.get(BotsService).create(userId, 'hyperrsi', { accountId, symbol: SYMBOL, timeframe: TF, settings: ACTIVE_HYPERRSI, feed: { kind: 'live' }, start: true });
    for (let k = firstClose; k <= lastBeforeDowntime; k++) {
      await w.get(BotFeedService).candleClosed(await feedOf(w, [bot.id]), candles[k].time, Date.now());
      await waitDecided(w, [bot.id], candles[k].time);
    }
    const before = Number((await w.get(BotsRepository).findById(bot.id))!.decisions);
    await w.close(); // down for the missed candles
    workers.length = 0;

    w = await bootWorker(maxAge);
    await w.get(BotFeedService).candleClosed(await feedOf(w, [bot.id]), candles[LEN - 1].time, Date.now());
    await waitDecided(w, [bot.id], candles[LEN - 1].time);

    const entries = (await journalOf(w.get(BotsRepository), bot.id)).filter((e) => e.seq > before);
    const candleEntries = entries.filter((e) => e.input.kind === 'candle');
    const decided = candleEntries.map((e) => e.input as Extract<JournalInput, { kind: 'candle' }>);
    // every missed candle once, in order, exactly as stored (indicators stay exact), then the fresh one
    expect(decided.map((d) => d.candle)).toEqual(candles.slice(missed.from, LEN));
    expect(decided.map((d) => d.expire)).toEqual([...Array(missed.to - missed.from + 1).fill('stale'), null]);
    // every place intent decided on a stale candle was journaled as expired, and never became an order
    const stalePlaces = candleEntries.filter((e) => (e.input as { expire: unknown }).expire === 'stale').flatMap((e) => e.intents.filter((i: Intent) => i.action === 'place').map((i) => i.key));
    expect(stalePlaces.length).toBeGreaterThan(0);
    const expired = new Set(entries.filter((e) => e.input.kind === 'closed' && e.input.event.status === 'expired').map((e) => (e.input as Extract<JournalInput, { kind: 'closed' }>).event.key));
    for (const key of stalePlaces) expect(expired.has(key), key).toBe(true);
    expect(await one('SELECT intent_key FROM orders WHERE intent_key = ANY($1)', [stalePlaces])).toEqual([]);
    const all = await journalOf(w.get(BotsRepository), bot.id);
    expect(replayJournal(botStrategy('hyperrsi'), all)).toEqual({ identical: true, decisions: all.length });
    console.log(`downtime: missed=${missed.to - missed.from + 1} stale_place_intents=${stalePlaces.length} backtest_entries_in_window=${inWindow.length}`);
    await w.get(BotsService).stop(userId, bot.id);
    await w.close();
    workers.length = 0;
  }, 300_000);

  it('a command sent before the first close waits for the first live decision (a bot without a price would skip a force entry)', async () => {
    await closeWorkers();
    const w = await bootWorker(86_400_000);
    const accountId = await paperAccount('early-command');
    // never enters by itself (RSI is never under 0)
    const bot = await w.get(BotsService).create(userId, 'hyperrsi', { accountId, symbol: SYMBOL, timeframe: TF, settings: { ...ACTIVE_HYPERRSI, rsi_oversold: 0 }, feed: { kind: 'live' }, start: true });
    const cmd = await w.get(BotCommandsService).submit(userId, bot.id, { type: 'force_entry', side: 'long', size: 0.01 }, { id: 'early-1' });
    expect(cmd.queued).toBe(true);
    // the evaluation the command woke has run: the bot's initial state journaled, the command not, nothing ordered
    for (const deadline = Date.now() + 30_000; ; ) {
      const state = await w.get(JobsProducer).queue(QueueName.Bots).getJobState(`${bot.id}.command.early-1`);
      if (state === 'completed') break;
      if (Date.now() > deadline) throw new Error(`the command's evaluation did not run: ${state}`);
      await sleep(100);
    }
    expect((await journalOf(w.get(BotsRepository), bot.id)).map((e) => e.input.kind)).toEqual(['init']);
    expect(await one('SELECT id FROM orders WHERE bot_id = $1', [bot.id])).toEqual([]);

    const t = candles[LEN - 1].time;
    await w.get(BotFeedService).candleClosed(await feedOf(w, [bot.id]), t, Date.now());
    await waitDecided(w, [bot.id], t);
    const entries = await journalOf(w.get(BotsRepository), bot.id);
    // init, the warm-up candles, the live one, then the command with that candle's time
    expect(entries.map((e) => e.input.kind)).toEqual(['init', ...Array(WARMUP_CANDLES + 1).fill('candle'), 'command']);
    expect(entries.at(-1)!.input).toMatchObject({ kind: 'command', candleTime: t });
    for (const deadline = Date.now() + 30_000; ; ) {
      const orders = await one<{ tag: string; status: string; amount: string }>('SELECT tag, status, amount FROM orders WHERE bot_id = $1', [bot.id]);
      if (orders.some((o) => o.status === 'FILLED')) {
        expect(orders).toEqual([expect.objectContaining({ tag: 'entry', status: 'FILLED' })]);
        expect(Number(orders[0].amount)).toBe(0.01);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the force entry was not filled: ${JSON.stringify(orders)}`);
      await sleep(200);
    }
    await w.get(BotsService).stop(userId, bot.id);
    await w.close();
    workers.length = 0;
  }, 180_000);

  it('exchange faults (20% of calls): no duplicate order at the exchange, every fill applied once', async () => {
    await closeWorkers();
    const KINDS: FaultKind[] = ['429', '500', '503', 'timeout', 'reset', 'lost-response'];
    const w = await bootWorker(86_400_000);
    // several bots (one per account: at most one active bot per account and symbol) on the same fake exchange
    const ids: string[] = [];
    fake.state.setPrice('BTCUSDT', candles[LEN - 22].close);
    for (let i = 0; i < 4; i++) {
      const account = await api.get(ExchangeAccountsService).add(userId, { exchange: 'binance', label: `faults-${i}`, apiKey: fake.apiKey, secret: fake.secret });
      const bot = await w.get(BotsService).create(userId, 'hyperrsi', { accountId: account.id, symbol: SYMBOL, timeframe: TF, settings: { ...ACTIVE_HYPERRSI, rsi_oversold: 58 + 2 * i }, feed: { kind: 'live' }, start: true });
      ids.push(bot.id);
    }
    const callsBefore = fake.state.requests.length;
    fake.faults.setRandom({ probability: 0.2, kinds: KINDS, seed: 777 });
    for (let k = LEN - 21; k < LEN; k++) {
      fake.state.setPrice('BTCUSDT', candles[k].close); // market orders fill at the candle's close
      await w.get(BotFeedService).candleClosed(await feedOf(w, ids), candles[k].time, Date.now());
      await waitDecided(w, ids, candles[k].time, 180_000);
    }
    const injected = Object.fromEntries(fake.faults.injected);
    const calls = fake.state.requests.length - callsBefore;
    // settle: the reconciler (faults still on, then off) until nothing is unresolved; then the bots hear every fill
    const reconciler = w.get(OrdersReconciler);
    for (let pass = 0; pass < 30; pass++) {
      await reconciler.reconcile().catch(() => undefined);
      const [{ n }] = await one<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE bot_id = ANY($1) AND status = 'PENDING'`, [ids]);
      if (n === 0) break;
      await sleep(300);
    }
    fake.faults.setRandom(null);
    await reconciler.reconcile();
    expect((await reconciler.reconcile()).errors).toBe(0);
    for (const botId of ids) await w.get(JobsProducer).enqueue('bots.evaluate', { botId }, { jobId: `${botId}.settle` });
    await waitDecided(w, ids, candles[LEN - 1].time);
    const faulted = Object.values(injected).reduce((a, b) => a + b, 0);
    const [{ pending }] = await one<{ pending: number }>(`SELECT count(*)::int AS pending FROM orders WHERE bot_id = ANY($1) AND status = 'PENDING'`, [ids]);
    const orders = await one<{ intent_key: string; client_order_id: string; status: string }>('SELECT intent_key, client_order_id, status FROM orders WHERE bot_id = ANY($1)', [ids]);
    const statuses = orders.reduce<Record<string, number>>((m, o) => ({ ...m, [o.status]: (m[o.status] ?? 0) + 1 }), {});
    let fillsTotal = 0;
    for (const botId of ids) {
      const fills = await one<{ id: string; bot_applied: boolean; client_order_id: string }>('SELECT f.id, f.bot_applied, o.client_order_id FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.bot_id = $1', [botId]);
      const journalFills = await one<{ input_key: string }>(`SELECT input_key FROM bot_decisions WHERE bot_id = $1 AND kind = 'fill'`, [botId]);
      const cids = new Set((await one<{ c: string }>('SELECT client_order_id AS c FROM orders WHERE bot_id = $1', [botId])).map((r) => r.c));
      // every exchange trade of the bot's orders recorded once, every recorded fill handed to the strategy once
      expect(fills.length).toBe(fake.state.trades.filter((t) => cids.has(t.clientOrderId)).length);
      expect(fills.filter((f) => !f.bot_applied)).toEqual([]);
      expect(new Set(journalFills.map((j) => j.input_key)).size).toBe(journalFills.length);
      expect(journalFills.map((j) => j.input_key).sort()).toEqual(fills.map((f) => `fill:${f.id}`).sort());
      const all = await journalOf(w.get(BotsRepository), botId);
      expect(replayJournal(botStrategy('hyperrsi'), all)).toEqual({ identical: true, decisions: all.length });
      fillsTotal += fills.length;
    }
    console.log(`bot faults: bots=${ids.length} calls=${calls} injected=${faulted} ${JSON.stringify(injected)} orders=${orders.length} statuses=${JSON.stringify(statuses)} fills=${fillsTotal}`);

    expect(faulted / calls).toBeGreaterThan(0.1); // the faults really happened
    expect(orders.length).toBeGreaterThan(0);
    expect(fillsTotal).toBeGreaterThan(0);
    expect(pending).toBe(0);
    // at the exchange: each clientOrderId created at most once, and each order row's id is the one its intent gives
    for (const o of orders) {
      expect(o.client_order_id).toBe(clientOrderIdFromKey(o.intent_key));
      expect(fake.state.ordersCreatedByClientOrderId.get(o.client_order_id) ?? 0, o.intent_key).toBeLessThanOrEqual(1);
    }
    expect(Math.max(0, ...fake.state.ordersCreatedByClientOrderId.values())).toBeLessThanOrEqual(1);
  }, 600_000);
});
