import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { createHttpAdapter } from '@tb/common';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { register, type Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { loadConfig, processEnv } from '@tb/config';
import { ExchangeAccountsService } from '@tb/accounts';
import { BotFeedService, BotsService, type LiveFeed } from '@tb/bots';
import { JobsProducer, QueueName } from '@tb/jobs';
import { MarketCandlesRepository, parseCandleCsv } from '@tb/market';
import type { Candle } from '@tb/strategies';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BotsFeedScheduler } from '../apps/worker/src/bots/bots-feed.scheduler';
import { BOTS_WORKER_OPTIONS } from '../apps/worker/src/bots/bots.processor';
import { fakeBinanceUrls } from '../test/support/fake-exchange/fake-binance.server';
import { benchDatabase, load, pct, sleep } from './util';

/**
 * `npm run bench -- --only bots [--bots N]`: N (default 1,000) running live paper bots evaluated after ONE candle close,
 * on the real stack — PostgreSQL (a database of its own, dropped afterwards), Redis (a key prefix of its own), an
 * in-process worker with the real BullMQ bots processor (its own concurrency option), the OMS and the paper exchange.
 *
 * Paper markets are BTC/ETH/SOL spot and perpetual; the local fake Binance (a child process) serves the public
 * spot ticker the paper exchange prices market orders from, and has no futures ticker, so the bots trade the three
 * spot markets: at most one active bot per (account, symbol) gives ⌈N / 3⌉ paper accounts over 100 users.
 * Every feed is the committed BTC/USDT 1h candles of 2024 (ETH scaled /20, SOL /400), relabelled so that the timed
 * candle closed at the latest hour boundary.
 *
 * Warm-up: the first close hands each bot 100 stored candles, then a few more closes, all older than the maximum
 * candle age (their orders expire: every bot has state and is flat); only the timed candle is fresh.
 * Then the timed close: `candleClosed` for every feed at t0 (candle available), as the feed scheduler does. Per
 * bot: "decision committed" = when the bench (polling every ~20 ms on its own connection) first saw the bot's row past
 * that candle, i.e. its evaluation's transaction committed; "decision (tx start)" = the journal entry's `created_at`,
 * the START of that transaction (a lower bound, for comparison); "all done" = the last bot seen committed;
 * orders sent = the last `updated_at` of the bot's orders created after t0 (written when the OMS records the paper
 * exchange's acknowledgement).
 * The worker's own histogram
 * tb_bot_candle_latency_seconds (taken at commit and after the send) gives the share within 1 s exactly.
 */

const ROOT = resolve(__dirname, '..');
const H = 3_600_000;
const WARM_HISTORY = 100;
const LIVE_WARM_CLOSES = 3;
const SYMBOLS = [
  { symbol: 'BTC/USDT', id: 'BTCUSDT', scale: 1 },
  { symbol: 'ETH/USDT', id: 'ETHUSDT', scale: 1 / 20 },
  { symbol: 'SOL/USDT', id: 'SOLUSDT', scale: 1 / 400 },
] as const;
const USERS = 100;

export interface BotsBenchResult {
  readonly bots: number;
  readonly concurrency: number;
  readonly warmSeconds: number;
  readonly fanOutMs: number;
  /** the journal entries' created_at: the START of each evaluation's transaction (a lower bound) */
  readonly txStart: { readonly p50: number; readonly p99: number; readonly max: number };
  /** when each bot's decision was seen committed (polled) */
  readonly committed: { readonly p50: number; readonly p99: number; readonly max: number; readonly allMs: number };
  readonly sent: { readonly bots: number; readonly orders: number; readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly histogram: Record<string, string>;
  readonly loadAfter: string;
}



async function startFake(prices: Record<string, number>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['-r', resolve(ROOT, 'scripts', 'register.js'), resolve(ROOT, 'test', 'support', 'fake-exchange', 'main.ts'), '--prices', Object.entries(prices).map(([k, v]) => `${k}=${v}`).join(',')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) res((JSON.parse(buf.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => rej(new Error(`fake exchange exited (${code})`)));
  });
  return { url, child };
}

async function histogramSnapshot(): Promise<Record<string, Record<string, number>>> {
  const h = register.getSingleMetric('tb_bot_candle_latency_seconds') as Histogram<string> | undefined;
  const out: Record<string, Record<string, number>> = {};
  if (!h) return out;
  const { values } = await h.get();
  for (const v of values) {
    if (!v.metricName?.endsWith('_bucket')) continue;
    const stage = String(v.labels.stage);
    (out[stage] ??= {})[String(v.labels.le)] = v.value;
  }
  return out;
}

export async function runBotsBench(n: number, out: (s: string) => void): Promise<BotsBenchResult> {
  const base = loadConfig(processEnv());
  const db = benchDatabase(base.database.url, 'bots');
  const prefix = `bench-bots-${process.pid}`;

  const raw = parseCandleCsv(readFileSync(resolve(ROOT, 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv'), 'utf8'), { source: 'bench' }).candles;
  const len = WARM_HISTORY + LIVE_WARM_CLOSES + 2;
  const lastClose = Math.floor(Date.now() / H) * H;
  const shift = lastClose - H - raw[len - 1].time;
  const series = (scale: number): Candle[] =>
    raw.slice(0, len).map((c) => ({ ...c, time: c.time + shift, open: c.open * scale, high: c.high * scale, low: c.low * scale, close: c.close * scale }));
  const prices = Object.fromEntries(SYMBOLS.map((s) => [s.id, raw[len - 1].close * s.scale]));

  await db.create();
  const fake = await startFake(prices);
  let app: INestApplication | null = null;
  try {
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: base.redis.url,
      REDIS_KEY_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      JWT_SECRET: randomBytes(36).toString('base64url'),
      LOG_LEVEL: 'error',
      DB_MIGRATE_ON_BOOT: 'true',
      EXCHANGE_API_URLS: JSON.stringify({ binance: fakeBinanceUrls(fake.url) }),
      // only the timed candle is fresh: the warm-up closes' orders expire (the bots keep their state, flat)
      BOTS_MAX_CANDLE_AGE_MS: String(Date.now() - lastClose + 40 * 60_000),
    };
    app = await NestFactory.create(WorkerModule.forRoot({ env }), createHttpAdapter(), { logger: ['error'] });
    await app.init();
    void app.get(BotsFeedScheduler).beforeApplicationShutdown(); // the bench is the live feed
    const ds = app.get(DataSource);
    const candles = app.get(MarketCandlesRepository);
    const all = new Map<string, Candle[]>();
    for (const s of SYMBOLS) {
      const list = series(s.scale);
      all.set(s.symbol, list);
      await candles.upsert('binance', s.symbol, '1h', list);
    }

    // users, paper accounts (one bot per account and symbol), bots
    const t0Setup = performance.now();
    const users: string[] = [];
    for (let u = 0; u < USERS; u++) {
      const [row] = (await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ($1, 'x', 'trader') RETURNING id`, [`bench-${u}-${randomBytes(4).toString('hex')}@bench.example`])) as Array<{ id: string }>;
      users.push(row.id);
    }
    const accounts = Math.ceil(n / SYMBOLS.length);
    const botsService = app.get(BotsService);
    let created = 0;
    for (let a = 0; a < accounts && created < n; a++) {
      const userId = users[a % USERS];
      const acc = await app.get(ExchangeAccountsService).add(userId, { exchange: 'paper', label: `bench-${a}`, paperBalances: { USDT: '100000' } });
      for (const s of SYMBOLS) {
        if (created >= n) break;
        const settings = { direction: 'long', leverage: 1, investment: 300, entry_option: 'in_zone', rsi_oversold: 30 + (created % 60), rsi_overbought: 95, use_trend_logic: false, tp1_value: 0.5 };
        await botsService.create(userId, 'hyperrsi', { accountId: acc.id, symbol: s.symbol, timeframe: '1h', settings, feed: { kind: 'live' }, start: true });
        created++;
      }
    }
    out(`bots: ${created} running paper bots (${USERS} users, ${accounts} accounts, ${SYMBOLS.length} spot markets) created in ${((performance.now() - t0Setup) / 1000).toFixed(1)} s`);

    const feedService = app.get(BotFeedService);
    const queue = app.get(JobsProducer).queue(QueueName.Bots);
    const idle = async (): Promise<void> => {
      for (;;) {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).reduce((x, y) => x + y, 0) === 0) return;
        await sleep(100);
      }
    };
    const closeAll = async (k: number, at: number): Promise<number> => {
      let q = 0;
      const feeds: LiveFeed[] = await feedService.liveFeeds();
      for (const f of feeds) q += await feedService.candleClosed(f, all.get(f.key.symbol)![k].time, at);
      return q;
    };

    // warm-up: ~200 candles of history at the first close, then live closes
    const tWarm = performance.now();
    for (let k = WARM_HISTORY; k < len - 1; k++) {
      await closeAll(k, Date.now());
      await idle();
      process.stderr.write(`  [bots] warm close ${k - WARM_HISTORY + 1}/${len - 1 - WARM_HISTORY}: ${((performance.now() - tWarm) / 1000).toFixed(1)} s, load ${load()}\n`);
    }
    const warmSeconds = (performance.now() - tWarm) / 1000;
    const [{ d }] = (await ds.query(`SELECT count(*)::int AS d FROM bot_decisions`)) as Array<{ d: number }>;
    out(`bots: warm-up ${warmSeconds.toFixed(1)} s (${d} journal entries); load avg ${load()} before the timed close`);

    // the timed close
    const before = await histogramSnapshot();
    await sleep(1000);
    const k = len - 1;
    const t0 = Date.now();
    await closeAll(k, t0);
    const fanOutMs = Date.now() - t0;
    const candleTime = all.get('BTC/USDT')![k].time;
    // decision committed: when a bot's row, moved past the candle in its evaluation's transaction, became visible to
    // another connection (polled every ~20 ms: an upper bound on the commit time by at most one poll)
    let allMs = -1;
    const seen = new Map<string, number>();
    for (;;) {
      const rows = (await ds.query(`SELECT id FROM bots WHERE last_candle_time >= $1`, [candleTime])) as Array<{ id: string }>;
      const at = Date.now() - t0;
      for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, at);
      if (seen.size >= created) {
        allMs = at;
        break;
      }
      if (at > 600_000) throw new Error(`only ${seen.size}/${created} bots decided within 10 minutes`);
      await sleep(20);
    }
    const visible = [...seen.values()].sort((a, b) => a - b);
    await idle();
    const committedRows = (await ds.query(
      `SELECT extract(epoch FROM d.created_at) * 1000 AS at FROM bot_decisions d WHERE d.kind = 'candle' AND (d.input->'candle'->>'time')::bigint = $1`,
      [candleTime],
    )) as Array<{ at: string }>;
    const committed = committedRows.map((r) => Number(r.at) - t0).sort((a, b) => a - b);
    const sentRows = (await ds.query(
      `SELECT o.bot_id, count(*)::int AS n, extract(epoch FROM max(o.updated_at)) * 1000 AS at FROM orders o WHERE o.created_at >= to_timestamp($1 / 1000.0) AND o.status <> 'PENDING' GROUP BY o.bot_id`,
      [t0],
    )) as Array<{ bot_id: string; n: number; at: string }>;
    const sent = sentRows.map((r) => Number(r.at) - t0).sort((a, b) => a - b);
    const after = await histogramSnapshot();
    const histogram: Record<string, string> = {};
    for (const stage of ['committed', 'sent']) {
      const b = before[stage] ?? {};
      const a = after[stage] ?? {};
      const total = (a['+Inf'] ?? 0) - (b['+Inf'] ?? 0);
      const within = (le: string) => (a[le] ?? 0) - (b[le] ?? 0);
      histogram[stage] = total ? `${within('0.5')}/${total} ≤ 0.5 s, ${within('1')}/${total} ≤ 1 s, ${within('2.5')}/${total} ≤ 2.5 s, ${within('5')}/${total} ≤ 5 s` : 'none';
    }
    return {
      bots: created,
      concurrency: BOTS_WORKER_OPTIONS.concurrency,
      warmSeconds,
      fanOutMs,
      txStart: { p50: pct(committed, 50), p99: pct(committed, 99), max: committed[committed.length - 1] },
      committed: { p50: pct(visible, 50), p99: pct(visible, 99), max: visible[visible.length - 1], allMs },
      sent: sent.length ? { bots: sent.length, orders: sentRows.reduce((x, r) => x + r.n, 0), p50: pct(sent, 50), p99: pct(sent, 99), max: sent[sent.length - 1] } : null,
      histogram,
      loadAfter: load(),
    };
  } finally {
    await app?.close().catch(() => undefined);
    fake.child.kill('SIGTERM');
    await db.drop();
    const redis = new Redis(base.redis.url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
