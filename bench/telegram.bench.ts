import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { createHttpAdapter } from '@tb/common';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig, processEnv } from '@tb/config';
import { ExchangeAccountsService } from '@tb/accounts';
import { BotsService } from '@tb/bots';
import { TelegramBotService, TelegramLinkingService } from '@tb/notifications';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BotsFeedScheduler } from '../apps/worker/src/bots/bots-feed.scheduler';
import { FakeTelegramServer, type RecordedCall } from '../test/support/fake-telegram/fake-telegram.server';
import { benchDatabase, load, pct, sleep } from './util';

/**
 * `npm run bench -- --only telegram [--rounds N]`: Telegram command round trips on the real stack — an in-process
 * worker (nestjs-telegraf, the real telegraf client over HTTP) polling the local fake Bot API (same process), real
 * PostgreSQL (a database of its own, dropped afterwards) and Redis (a key prefix of its own). One linked trader with
 * a paper account and 3 running live paper bots (the live feed scheduler is off: nothing trades).
 *
 * A round trip: the user's update is injected into the fake (it answers the bot's pending long poll at once) →
 * the bot's answer (sendMessage, or editMessageText for a button) reaches the fake. Commands are sent one at a time.
 * CPU ms per command is the whole process (worker + fake) over the command's rounds.
 */

export interface TelegramBenchRow {
  readonly command: string;
  readonly rounds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly cpuMsPerRound: number;
}

export interface TelegramBenchResult {
  readonly rows: readonly TelegramBenchRow[];
  readonly loadBefore: string;
  readonly loadAfter: string;
}



/** The commands timed: [label, what the user does]. */
const COMMANDS: ReadonlyArray<readonly [string, { text: string } | { button: string }]> = [
  ['/help', { text: '/help' }],
  ['/bots', { text: '/bots' }],
  ['/status (3 bots)', { text: '/status' }],
  ['Refresh button (edit)', { button: 'st:r' }],
  ['/balance (paper)', { text: '/balance' }],
  ['/profit', { text: '/profit' }],
  ['/trade step 1', { text: '/trade' }],
  ['refused (unlinked chat)', { text: '/status' }],
];

export async function runTelegramBench(rounds: number, out: (s: string) => void): Promise<TelegramBenchResult> {
  const base = loadConfig(processEnv());
  const db = benchDatabase(base.database.url, 'tg');
  const tg = new FakeTelegramServer(`${100_000_000 + (process.pid % 899_999_999)}:AAbench-token-for-the-fake-telegram`);
  const apiRoot = await tg.start();
  await db.create();
  let app: INestApplication | null = null;
  try {
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: base.redis.url,
      REDIS_KEY_PREFIX: `bench-tg-${process.pid}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      JWT_SECRET: randomBytes(36).toString('base64url'),
      LOG_LEVEL: 'error',
      DB_MIGRATE_ON_BOOT: 'true',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: apiRoot,
    };
    app = await NestFactory.create(WorkerModule.forRoot({ env }), createHttpAdapter(), { logger: ['error'] });
    await app.init();
    void app.get(BotsFeedScheduler).beforeApplicationShutdown(); // no live candles: the bots just exist
    const ds = app.get(DataSource);
    const [user] = (await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ($1, 'x', 'trader') RETURNING id`, [`bench-tg-${randomBytes(4).toString('hex')}@bench.example`])) as Array<{ id: string }>;
    const account = await app.get(ExchangeAccountsService).add(user.id, { exchange: 'paper', label: 'bench paper', paperBalances: { USDT: '100000' } });
    for (const symbol of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) {
      await app.get(BotsService).create(user.id, 'hyperrsi', { accountId: account.id, symbol, timeframe: '1h', settings: { investment: 300, leverage: 1 }, feed: { kind: 'live' }, start: true });
    }
    const chatId = 700_000_001;
    const stranger = 700_000_002;
    const { code } = await app.get(TelegramLinkingService).createCode(user.id);
    await app.get(TelegramLinkingService).redeem(code, String(chatId), null);
    const polling = Date.now() + 30_000;
    while (!app.get(TelegramBotService).isPolling && Date.now() < polling) await sleep(100);
    if (!app.get(TelegramBotService).isPolling) throw new Error('the bot never took the poll lease');

    /** One round trip: inject, resolve at the bot's first answer to that chat. */
    const roundTrip = (chat: number, action: { text: string } | { button: string }): Promise<number> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within 10 s to ${JSON.stringify(action)}`)), 10_000);
        const t0 = performance.now();
        tg.onCall = (c: RecordedCall) => {
          if ((c.method === 'sendMessage' || c.method === 'editMessageText') && Number(c.params.chat_id) === chat) {
            clearTimeout(timer);
            tg.onCall = undefined;
            resolve(performance.now() - t0);
          }
        };
        if ('text' in action) tg.sendText(chat, action.text);
        else tg.pressButton(chat, 1, action.button);
      });

    const loadBefore = load();
    const rows: TelegramBenchRow[] = [];
    for (const [label, action] of COMMANDS) {
      const chat = label.startsWith('refused') ? stranger : chatId;
      for (let i = 0; i < 5; i++) await roundTrip(chat, action); // warm-up
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < rounds; i++) {
        times.push(await roundTrip(chat, action));
        await sleep(5); // the callback answer and the poller's next getUpdates settle
      }
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      rows.push({ command: label, rounds, p50: pct(times, 50), p99: pct(times, 99), max: times[times.length - 1], cpuMsPerRound: (cpu.user + cpu.system) / 1000 / rounds });
      process.stderr.write(`  [telegram] ${label}: p50 ${pct(times, 50).toFixed(1)} ms, load ${load()}\n`);
    }
    out(`telegram: ${rounds} rounds per command after 5 warm-up rounds; 3 running bots; load avg before: ${loadBefore}`);
    return { rows, loadBefore, loadAfter: load() };
  } finally {
    await app?.close().catch(() => undefined);
    await tg.stop();
    await db.drop();
  }
}
