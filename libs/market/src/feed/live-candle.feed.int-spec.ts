/**
 * LiveCandleFeed through MarketFeedModule (real config, real PostgreSQL, the REAL ccxt binance client) against
 * the local fake Binance, whose /klines serves the committed BTC/USDT 1h 2024 candles as of its clock — the
 * same manual clock the feed reads — with the newest row still forming, like Binance. One series, one story:
 * each step starts from the state the previous one left.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig, TbConfigModule } from '@tb/config';
import { Clock, ManualClock, RequestContextModule } from '@tb/common';
import { DatabaseModule, MIGRATIONS } from '@tb/database';
import { readCandlesCsv } from '../../../../test/support/candles';
import { createIsolatedDatabase } from '../../../../test/support/isolated-db';
import { testEnv } from '../../../../test/support/test-env';
import { startFakeBinance, type FakeBinance, type KlineRow } from '../../../../test/support/fake-exchange/fake-binance.server';
import { MarketCandlesRepository } from '../persistence/market-candles.repository';
import { FeedMetrics } from './feed.metrics';
import { feedExchangeId } from './feed-registry';
import { LiveCandleFeed } from './live-candle.feed';
import { MarketFeedModule, OHLCV_SOURCE } from './market-feed.module';
import { CcxtOhlcvSource, type OhlcvSource } from './ohlcv.source';

const KEY = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;
const MIGRATION = MIGRATIONS.find((m) => m.name === 'MarketCandles1732320000000')!;
const BTC = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv'); // independent parser
const t = (i: number): number => BTC[i].time;
const KLINES = 'GET /api/v3/klines';

let db: { url: string; drop: () => Promise<void> };
let fake: FakeBinance;
let app: TestingModule;
let feed: LiveCandleFeed;
let repo: MarketCandlesRepository;
let clock: ManualClock;

const klineCalls = (): number => fake.state.callsByEndpoint.get(KLINES) ?? 0;
const klineRequests = (): Array<Record<string, string>> => fake.state.requests.filter((r) => `${r.method} ${r.path}` === KLINES).map((r) => r.params);
const stored = (): Promise<number> => repo.count(KEY.exchange, KEY.symbol, KEY.timeframe);
const missingCount = (): Promise<number> => metricValue('tb_feed_missing_candles_total');
const metricValue = async (name: string): Promise<number> => {
  const m = register.getSingleMetric(name) as Counter<string> | undefined;
  if (!m) return 0;
  const v = (await m.get()).values.find((x) => x.labels.exchange === 'binance' && x.labels.symbol === 'BTC/USDT' && x.labels.timeframe === '1h');
  return v?.value ?? 0;
};

/** A second feed over the module's own source/repository/metrics whose waits advance the manual clock. */
function steppingFeed(logs: string[], sleeps: number[]): LiveCandleFeed {
  const config = app.get(AppConfig);
  return new LiveCandleFeed(
    app.get<OhlcvSource>(OHLCV_SOURCE),
    repo,
    clock,
    {
      ...config.feed,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      logger: { warn: (m) => logs.push(m) },
    },
    app.get(FeedMetrics),
  );
}

beforeAll(async () => {
  db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'feed', [MIGRATION]);
  clock = new ManualClock(t(500) + 30 * 60_000); // candle 500 is forming, 499 is the newest closed
  const rows: KlineRow[] = BTC.map((c) => [c.time, c.open, c.high, c.low, c.close, c.volume]);
  fake = await startFakeBinance({ now: () => clock.now(), klines: { BTCUSDT: rows }, klinesAsOfServerTime: true });
  app = await Test.createTestingModule({
    imports: [
      TbConfigModule.forRoot({
        env: testEnv({
          DATABASE_URL: db.url,
          EXCHANGE_API_URLS: JSON.stringify({ binance: fake.ccxtUrls, binanceusdm: fake.ccxtUrls }),
          EXCHANGE_RATE_LIMIT_MS: '1',
          EXCHANGE_TIMEOUT_MS: '2000',
          FEED_BACKFILL_CANDLES: '100',
          FEED_BUILD_DELAY_MS: '2000',
          FEED_RETRY_MS: '1000',
          FEED_MAX_WAIT_MS: '10000',
        }),
      }),
      RequestContextModule,
      DatabaseModule,
      MarketFeedModule,
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  await app.init();
  feed = app.get(LiveCandleFeed);
  repo = app.get(MarketCandlesRepository);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

describe('LiveCandleFeed × fake Binance × PostgreSQL', () => {
  it('first poll: the newest FEED_BACKFILL_CANDLES closed candles, stored, and never the forming one', async () => {
    const got = await feed.pollClosed(KEY, clock.now());
    // backfill 100 ending at the newest closed candle (499): candles 400..499; 500 is still forming at now
    expect(got).toEqual(BTC.slice(400, 500));
    expect(await stored()).toBe(100);
    expect(await repo.findRange('binance', 'BTC/USDT', '1h', 0, Number.MAX_SAFE_INTEGER)).toEqual(BTC.slice(400, 500));
    // the request asked ccxt for exactly that range
    expect(klineRequests().at(-1)).toMatchObject({ symbol: 'BTCUSDT', interval: '1h', startTime: String(t(400)), limit: '100' });
  });

  it('polling again stores nothing twice; the close boundary is exact (open + 1h <= now)', async () => {
    expect(await feed.pollClosed(KEY, clock.now())).toEqual([]);
    expect(await stored()).toBe(100);

    clock.set(t(501) - 1); // 1 ms before candle 500 closes: it is served by the exchange, but still forming
    expect(await feed.pollClosed(KEY, clock.now())).toEqual([]);
    clock.set(t(501)); // exactly its close
    expect(await feed.pollClosed(KEY, clock.now())).toEqual([BTC[500]]);
    // a second worker polling the same feed at the same time: nothing new, nothing duplicated
    expect(await feed.pollClosed(KEY, clock.now())).toEqual([]);
    expect(await stored()).toBe(101);
    const dup: unknown[] = await app.get(DataSource).query(`SELECT time FROM market_candles GROUP BY exchange, symbol, timeframe, time HAVING count(*) > 1`);
    expect(dup).toEqual([]);
  });

  it('schedules each poll at the next close plus FEED_BUILD_DELAY_MS', () => {
    expect(feed.nextPollAt('1h', t(501))).toBe(t(501) + 2000);
    expect(feed.nextPollAt('1h', t(501) + 2000)).toBe(t(502) + 2000);
  });

  it('late publication: retries every FEED_RETRY_MS until the closed candle appears', async () => {
    const logs: string[] = [];
    const sleeps: number[] = [];
    const late = steppingFeed(logs, sleeps);
    clock.set(feed.nextPollAt('1h', clock.now() + 2000)); // candle 501's close + build delay
    expect(clock.now()).toBe(t(502) + 2000);
    fake.withholdKlines('BTCUSDT', t(501), 3); // the next 3 klines answers end at 500
    const before = klineCalls();
    const missingBefore = await missingCount();

    const res = await late.awaitClose(KEY);

    expect(res).toEqual({ candles: [BTC[501]], expectedTime: t(501), complete: true, attempts: 4 });
    expect(klineCalls() - before).toBe(4);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(logs).toEqual([]);
    expect(await missingCount()).toBe(missingBefore);
    expect(await stored()).toBe(102);
  });

  it('missing-candle watchdog: gives up FEED_MAX_WAIT_MS after the close, warns with the feed key, counts it', async () => {
    const logs: string[] = [];
    const sleeps: number[] = [];
    const watch = steppingFeed(logs, sleeps);
    clock.set(t(503) + 2000); // candle 502 closed 2 s ago
    fake.withholdKlines('BTCUSDT', t(502), Infinity); // never published
    const missingBefore = await missingCount();

    const res = await watch.awaitClose(KEY);

    // polls at close+2 s, +3 s, ..., +10 s (the deadline): 9 polls, 8 waits of 1 s
    expect(res).toEqual({ candles: [], expectedTime: t(502), complete: false, attempts: 9 });
    expect(sleeps).toEqual(new Array(8).fill(1000));
    expect(clock.now()).toBe(t(503) + 10_000);
    expect(await missingCount()).toBe(missingBefore + 1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('binance BTC/USDT 1h');
    expect(logs[0]).toContain(new Date(t(502)).toISOString());
    expect(logs[0]).toMatch(/missing candle/);
    expect(await stored()).toBe(102);
  });

  it('after a gap the next poll backfills every missed closed candle in order, up to the backfill bound', async () => {
    fake.withholdKlines('BTCUSDT', t(502), 0); // published at last
    clock.set(t(510) + 2000); // 8 closes later: 502..509 are closed, 510 is forming
    const got = await feed.pollClosed(KEY, clock.now());
    expect(got).toEqual(BTC.slice(502, 510));
    expect(await stored()).toBe(110);

    // a gap longer than the backfill: only the newest 100 closed candles are fetched (paged by the exchange limit)
    const paged = new LiveCandleFeed(app.get<OhlcvSource>(OHLCV_SOURCE), repo, clock, { ...app.get(AppConfig).feed, pageLimit: 40 });
    clock.set(t(800) + 2000); // 290 closes later: 510..799 closed
    const before = klineCalls();
    const far = await paged.pollClosed(KEY, clock.now());
    expect(far).toEqual(BTC.slice(700, 800));
    expect(klineCalls() - before).toBe(3); // 40 + 40 + 20
    expect(klineRequests().slice(-3).map((p) => [Number(p.startTime), Number(p.limit)])).toEqual([
      [t(700), 40],
      [t(740), 40],
      [t(780), 20],
    ]);
    expect(await stored()).toBe(210);
  });

  it("a paper account's perpetual feed reads binanceusdm (ccxt's /fapi endpoints) and stores under its own key", async () => {
    const perp = { exchange: feedExchangeId('paper', 'BTC/USDT:USDT'), symbol: 'BTC/USDT:USDT', timeframe: '1h' } as const;
    expect(perp.exchange).toBe('binanceusdm');
    const before = fake.state.callsByEndpoint.get('GET /fapi/v1/klines') ?? 0;
    const got = await feed.pollClosed(perp, clock.now()); // now = t(800) + 2 s
    expect(got).toEqual(BTC.slice(700, 800));
    expect((fake.state.callsByEndpoint.get('GET /fapi/v1/klines') ?? 0) - before).toBe(1);
    expect(await repo.count('binanceusdm', 'BTC/USDT:USDT', '1h')).toBe(100);
    expect(await stored()).toBe(210); // the spot series is untouched
  });

  it('an exchange fault outlasting the adapter retries is logged, counted and retried by the feed; the candle is stored once', async () => {
    const logs: string[] = [];
    const sleeps: number[] = [];
    // an adapter that gives up after 2 tries (the module's default waits seconds between tries)
    const impatient = new CcxtOhlcvSource({ apiUrls: { binance: fake.ccxtUrls }, rateLimitMs: 1, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    const faulty = new LiveCandleFeed(impatient, repo, clock, {
      ...app.get(AppConfig).feed,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      logger: { warn: (m) => logs.push(m) },
    }, app.get(FeedMetrics));
    clock.set(t(801) + 2000); // candle 800 closed 2 s ago
    fake.faults.inject({ kind: '503', endpoint: KLINES, times: 4 }); // two polls of two tries each fail
    const errorsBefore = await metricValue('tb_feed_poll_errors_total');
    const before = klineCalls();
    try {
      const res = await faulty.awaitClose(KEY);
      expect(res).toEqual({ candles: [BTC[800]], expectedTime: t(800), complete: true, attempts: 3 });
    } finally {
      await impatient.close();
    }
    expect(klineCalls() - before).toBe(5);
    expect(sleeps).toEqual([1000, 1000]);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/binance BTC\/USDT 1h: poll for the .* candle failed \(attempt 1\)/);
    expect(await metricValue('tb_feed_poll_errors_total')).toBe(errorsBefore + 2);
    expect(await stored()).toBe(211);
  });

  it('a page cut short by the exchange limit (binance: 1000, clamped by ccxt) is paged through, not taken for the end', async () => {
    const wide = new LiveCandleFeed(app.get<OhlcvSource>(OHLCV_SOURCE), repo, clock, { ...app.get(AppConfig).feed, backfillCandles: 1200, pageLimit: 1500 });
    clock.set(t(2100) + 2000); // 801..2099 closed since the last stored candle (800); backfill 1200: 900..2099
    const before = klineCalls();
    const got = await wide.pollClosed(KEY, clock.now());
    expect(got).toEqual(BTC.slice(900, 2100));
    expect(klineRequests().slice(-2).map((p) => [Number(p.startTime), Number(p.limit)])).toEqual([
      [t(900), 1000], // 1200 asked for, ccxt sends binance's maximum: 1000 rows come back
      [t(1900), 200],
    ]);
    expect(klineCalls() - before).toBe(2);
    expect(await stored()).toBe(211 + 1200);
  });
});
