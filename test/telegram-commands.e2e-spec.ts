import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { BOT_COMMANDS, REFUSAL, settingFields } from '@tb/notifications';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { readCandlesCsv } from './support/candles';
import { createIsolatedDatabase } from './support/isolated-db';
import { freePort, runScript, waitForHttp, type RunningProcess } from './support/processes';
import { REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF } from './support/bots';
import { FakeTelegramServer, type RecordedCall } from './support/fake-telegram/fake-telegram.server';

/**
 * Telegram commands end to end with the BUILT worker (`npm run start:worker`, nestjs-telegraf, real telegraf client
 * over HTTP to the local fake Bot API): a trader links a chat, starts a paper bot through the /trade keyboard — the
 * worker SIGKILLed in the middle of the flow and started again: the flow continues from Redis —, receives the fill
 * and position notifications, changes a setting through /settings (a bad value refused in words), and stops the bot
 * with /stop (closing its position). An unlinked chat and another user's chat see and change nothing; every callback
 * query is answered. A database of its own: the worker's reconciler and feeds see the whole database.
 */

const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, 600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chat = () => randomInt(10_000_000, 2_000_000_000);
/** The bot's notifications (notify/notification-text.ts), which arrive between the answers to commands. */
const NOTIFICATION = /^(✅ Filled|📈 Opened|📉 Closed|▶️ Bot started|⏹ Bot stopped|⏸ Bot paused|⚠️ Bot error)/u;
const LEVERAGE_IDX = settingFields('hyperrsi').findIndex((f) => f.name === 'leverage');

describe('Telegram commands with the built worker', () => {
  const tg = new FakeTelegramServer(`${randomInt(100_000_000, 999_999_999)}:AAtest-token-for-the-fake-telegram`);
  let db: { url: string; drop: () => Promise<void> };
  let env: Record<string, string | undefined>;
  let api: HttpApp;
  let ds: DataSource;
  let worker: RunningProcess | undefined;
  let alice: TestUser;
  let bob: TestUser;
  let aliceAccount: string;
  let presetId: string;
  let botId: string;
  const aliceChat = chat();
  const bobChat = chat();
  const stranger = chat();
  const pressed: number[] = [];
  const H = () => request(api.getHttpServer());

  const startWorker = async (): Promise<void> => {
    const port = await freePort();
    worker = runScript('start:worker', { ...env, WORKER_PORT: String(port) });
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 60_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n${worker!.output().slice(-3000)}`);
    });
  };
  /** Waits until a worker holds the poll lease (its setMyCommands is the first thing it does). */
  const waitPolling = async (since: number): Promise<void> => {
    const end = Date.now() + 40_000;
    while (!tg.calls.slice(since).some((c) => c.method === 'getUpdates') && Date.now() < end) await sleep(100);
  };
  /** Sends a text; the first answer (new or edited message) matching `pred` (by default: not a notification). */
  const say = async (chatId: number, text: string, pred: (t: string) => boolean = (t) => !NOTIFICATION.test(t)): Promise<RecordedCall> => {
    const since = tg.calls.length;
    tg.sendText(chatId, text);
    return tg.waitForText(chatId, pred, since, 30_000);
  };
  /** Presses a button; the answer (new or edited message) matching `pred` (by default: not a notification). */
  const press = async (chatId: number, data: string, pred: (t: string) => boolean = (t) => !NOTIFICATION.test(t)): Promise<RecordedCall> => {
    const since = tg.calls.length;
    pressed.push(tg.pressButton(chatId, 1, data));
    return tg.waitForText(chatId, pred, since, 30_000);
  };
  const buttons = (c: RecordedCall) => FakeTelegramServer.buttonsOf(c).map((b) => b.data);
  const botRow = async (id: string) => (await ds.query('SELECT status, settings, feed FROM bots WHERE id = $1', [id]))[0] as { status: string; settings: Record<string, unknown>; feed: { kind: string } };

  beforeAll(async () => {
    const apiRoot = await tg.start();
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'tgcmd');
    env = testEnv({ DATABASE_URL: db.url, REDIS_KEY_PREFIX: `${inject('redisPrefix')}-tgcmd`, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_POLL_LEASE_MS: '3000', LOG_LEVEL: 'info' });
    api = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    ds = api.get(DataSource);
    await api.get(MarketCandlesRepository).upsert(REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, candles);
    alice = await createUserAndLogin(api);
    bob = await createUserAndLogin(api);
    const acc = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'alice paper', paperBalances: { USDT: '10000' } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    aliceAccount = acc.body.id as string;
    expect((await H().post('/api/exchange-accounts').set('Authorization', bearer(bob)).send({ exchange: 'paper', label: 'bob paper', paperBalances: { USDT: '10000' } })).status).toBe(201);
    // enters as soon as the RSI leaves 45..55 (no trend filter): the replay fills within its first candles
    const preset = await H()
      .post('/api/hyperrsi/presets')
      .set('Authorization', bearer(alice))
      .send({ name: 'quick', settings: { entry_option: 'in_zone', rsi_oversold: 45, rsi_overbought: 55, use_trend_logic: false, investment: 20, leverage: 10 } });
    expect(preset.status, JSON.stringify(preset.body)).toBe(201);
    presetId = preset.body.id as string;
    const since = tg.calls.length;
    await startWorker();
    await waitPolling(since);
  }, 180_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await Promise.race([worker.exited, sleep(15_000)]);
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
    await api?.close();
    await tg.stop();
    await db?.drop();
  }, 60_000);

  it('registers every command (setMyCommands) and lists them in /help once linked', async () => {
    const registered = (tg.callsOf('setMyCommands').at(-1)?.params.commands as Array<{ command: string }>).map((c) => c.command);
    expect(registered).toEqual(BOT_COMMANDS.map((c) => c.command));
    expect(registered).toEqual(expect.arrayContaining(['status', 'bots', 'trade', 'stop', 'pause', 'resume', 'settings', 'sl', 'tp', 'balance', 'positions', 'history', 'profit', 'daily', 'backtest', 'cancel']));
    for (const [u, c] of [[alice, aliceChat], [bob, bobChat]] as const) {
      const code = (await H().post('/api/telegram/link-codes').set('Authorization', bearer(u))).body.code as string;
      await say(c, `/start ${code}`, (t) => t.startsWith('Linked.'));
    }
    const help = String((await say(aliceChat, '/help')).params.text);
    for (const c of registered) expect(help).toContain(`/${c} — `);
  });

  it('/trade: account → strategy → symbol → timeframe, worker SIGKILLed mid-flow, then preset → feed → confirm starts the bot', async () => {
    const step1 = await say(aliceChat, '/trade', (t) => t.includes('1/6'));
    expect(buttons(step1)).toEqual([`tr:a:${aliceAccount}`, 'x']);
    expect(buttons(await press(aliceChat, `tr:a:${aliceAccount}`, (t) => t.includes('2/6')))).toEqual(['tr:s:hyperrsi', 'tr:s:grid', 'x']);
    expect(buttons(await press(aliceChat, 'tr:s:hyperrsi', (t) => t.includes('3/6')))).toContain(`tr:y:${REPLAY_SYMBOL}`);
    expect(buttons(await press(aliceChat, `tr:y:${REPLAY_SYMBOL}`, (t) => t.includes('4/6')))).toContain(`tr:t:${REPLAY_TF}`);
    const presets = await press(aliceChat, `tr:t:${REPLAY_TF}`, (t) => t.includes('5/6'));
    expect(buttons(presets)).toEqual(['tr:p:-', `tr:p:${presetId}`, 'x']);

    // the worker dies in the middle of the flow; the trader's next press waits at the fake until another worker polls
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    const since = tg.calls.length;
    pressed.push(tg.pressButton(aliceChat, 1, `tr:p:${presetId}`));
    await startWorker();
    await waitPolling(since); // the dead worker's lease expires (3 s here) first
    const feed = await tg.waitForText(aliceChat, (t) => t.includes('6/6'), since, 40_000);
    expect(buttons(feed)).toEqual(['tr:f:l', 'tr:f:r', 'x']);

    const confirm = await press(aliceChat, 'tr:f:r', (t) => t.startsWith('Start this bot?'));
    expect(String(confirm.params.text)).toBe(['Start this bot?', 'Account: alice paper', 'Strategy: hyperrsi', `Symbol: ${REPLAY_SYMBOL} · ${REPLAY_TF}`, 'Settings: preset quick', 'Feed: replay of stored candles'].join('\n'));
    const started = String((await press(aliceChat, 'tr:ok', (t) => t.startsWith('✅ Bot started') || t.startsWith('❌'))).params.text);
    expect(started).toMatch(/^✅ Bot started\n🟢 BTC\/USDT:USDT 1h · hyperrsi · running · [0-9a-f]{8}/);
    const rows = await ds.query(`SELECT id FROM bots WHERE user_id = $1`, [alice.userId]);
    expect(rows).toHaveLength(1);
    botId = rows[0].id as string;
    expect(started).toContain(botId.slice(0, 8));
    const bot = await botRow(botId);
    expect(bot.status).toBe('running');
    expect(bot.feed.kind).toBe('replay');
    expect(bot.settings).toMatchObject({ entry_option: 'in_zone', rsi_oversold: 45 }); // the preset's settings
    // the flow is over: pressing its confirm again creates nothing
    await press(aliceChat, 'tr:ok', (t) => t.includes('earlier /trade step'));
    expect(await ds.query(`SELECT id FROM bots WHERE user_id = $1`, [alice.userId])).toHaveLength(1);
  }, 150_000);

  it('the trader receives the fill and position notifications of the bot; /status shows it with a Refresh that edits in place', async () => {
    const filled = await tg.waitForMessage(aliceChat, (t) => t.startsWith('✅ Filled'), 90_000);
    expect(String(filled.params.text)).toContain(`bot ${botId.slice(0, 8)}`);
    const opened = await tg.waitForMessage(aliceChat, (t) => t.startsWith('📈 Opened'), 30_000);
    expect(String(opened.params.text)).toContain(REPLAY_SYMBOL);

    const status = await say(aliceChat, '/status', (t) => t.startsWith('📊 Status'));
    expect(String(status.params.text)).toContain(`${REPLAY_SYMBOL} 1h · hyperrsi · running · ${botId.slice(0, 8)}`);
    expect(String(status.params.text)).toMatch(/position: (long|short) /);
    expect(buttons(status)).toEqual(['st:r']);
    await sleep(1_100); // the refreshed text carries a later second
    const refreshed = await press(aliceChat, 'st:r', (t) => t.startsWith('📊 Status'));
    expect(refreshed.method).toBe('editMessageText');
  }, 150_000);

  it('/settings: a bad value is refused in words and the prompt stays; a good one is saved; notification modes cycle', async () => {
    const pick = await say(aliceChat, '/settings', (t) => t.startsWith('⚙️ Which bot?'));
    expect(buttons(pick)).toContain(`se:p:${botId}:0`);
    const page = await press(aliceChat, `se:p:${botId}:0`, (t) => t.startsWith('⚙️ Settings'));
    expect(String(page.params.text)).toContain('leverage = 10');
    // settings are named as the REST API names them (camelCase), not by the stored original names
    expect(String(page.params.text)).toMatch(/^entryAmountOption = /m);
    expect(String(page.params.text)).not.toMatch(/^[a-z0-9]+_[A-Za-z0-9_]+ = /m);
    expect(buttons(page)).toContain(`se:k:${botId}:${LEVERAGE_IDX}`);
    const prompt = await press(aliceChat, `se:k:${botId}:${LEVERAGE_IDX}`, (t) => t.startsWith('leverage:'));
    expect(String(prompt.params.text)).toContain('Send the new value: a number ≥ 1 and ≤ 125');

    const bad = String((await say(aliceChat, '500')).params.text);
    expect(bad).toBe('❌ Not accepted:\n• leverage must be >= 1 and <= 125\nSend another value, or /cancel.');
    expect((await botRow(botId)).settings.leverage).toBe(10);
    const good = String((await say(aliceChat, '5')).params.text);
    expect(good).toMatch(/^✅ leverage = 5\. The bot applies it from its next candle\./);
    expect((await botRow(botId)).settings.leverage).toBe(5);
    // the prompt is closed: another number is not a setting any more
    expect(String((await say(aliceChat, '7')).params.text)).toBe('Send /help for the commands.');
    expect(String((await say(aliceChat, '/frobnicate')).params.text)).toBe('Unknown command. /help lists what this bot can do.');

    // notification modes from /settings: order.filled on → silent, as the REST API reads it
    const prefs = await press(aliceChat, 'np:m', (t) => t.startsWith('🔔 Notifications per event'));
    expect(buttons(prefs)).toEqual(['np:c:0', 'np:c:1', 'np:c:2', 'np:c:3', 'np:c:4', 'np:c:5', 'np:c:6', 'x']);
    expect(String((await press(aliceChat, 'np:c:0', (t) => t.startsWith('🔔 Notifications per event'))).params.text)).toContain('🔕 order.filled: silent');
    const rest = await H().get('/api/telegram/notification-preferences').set('Authorization', bearer(alice));
    expect(rest.body.preferences['order.filled']).toBe('silent');
    await press(aliceChat, 'np:c:0', (t) => t.includes('🚫 order.filled: off'));
    await press(aliceChat, 'np:c:0', (t) => t.includes('🔔 order.filled: on'));
    expect((await botRow(botId)).settings.leverage).toBe(5);
  }, 90_000);

  it('an unlinked chat gets the refusal and nothing else; another user sees and changes nothing of the bot', async () => {
    const before = await botRow(botId);
    const changes = async (): Promise<number> => (await ds.query(`SELECT count(*)::int AS n FROM bot_inputs WHERE bot_id = $1 AND kind IN ('command', 'settings')`, [botId]))[0].n as number;
    const changesBefore = await changes();
    // the stranger: every command and every button of the trader's flows gets the refusal (buttons: only an answer)
    for (const cmd of ['/status', '/trade', '/stop', '/settings', `/sl set ${botId.slice(0, 8)} long 1`, '/balance']) expect(String((await say(stranger, cmd)).params.text)).toBe(REFUSAL);
    for (const data of [`sp:y:${botId}:1`, `se:v:${botId}:0:0`, `pa:${botId}`, `tr:a:${aliceAccount}`, 'st:r']) pressed.push(tg.pressButton(stranger, 1, data));
    await sleep(1_500);
    expect(tg.calls.filter((c) => Number(c.params.chat_id) === stranger && c.method !== 'answerCallbackQuery').map((c) => c.params.text)).toEqual(Array(6).fill(REFUSAL));

    // bob is linked: he sees only his own (no bots), and every reference to alice's bot or account is "not found"
    expect(String((await say(bobChat, '/status', (t) => t.startsWith('📊'))).params.text)).toMatch(/No bots yet/);
    expect(String((await say(bobChat, '/bots')).params.text)).toBe('No bots yet. Start one with /trade.');
    expect(String((await press(bobChat, `sp:y:${botId}:1`)).params.text)).toBe(`❌ Bot ${botId} not found`);
    expect(String((await press(bobChat, `pa:${botId}`)).params.text)).toBe(`❌ Bot ${botId} not found`);
    expect(String((await press(bobChat, `se:v:${botId}:0:0`)).params.text)).toBe(`❌ Bot ${botId} not found`);
    expect(String((await press(bobChat, `bt:${botId}`)).params.text)).toBe(`❌ Bot ${botId} not found`);
    expect(String((await say(bobChat, `/sl set ${botId.slice(0, 8)} long 1`)).params.text)).toBe(`❌ Running bot ${botId.slice(0, 8)} not found`);
    await say(bobChat, '/trade', (t) => t.includes('1/6'));
    expect(String((await press(bobChat, `tr:a:${aliceAccount}`)).params.text)).toMatch(/^❌ .*not found/i);

    const after = await botRow(botId);
    expect(after.status).toBe(before.status);
    expect(after.settings).toEqual(before.settings);
    expect(await changes()).toBe(changesBefore); // no settings change, no command queued
    expect(changesBefore).toBeGreaterThanOrEqual(1); // alice's leverage change is there: the count is of the right rows
  }, 120_000);

  it('/pause, /resume, /sl, /tp, /balance, /positions, /history, /profit, /daily, /backtest on the trader\'s bot', async () => {
    const short = botId.slice(0, 8);
    expect(buttons(await say(aliceChat, '/pause', (t) => t.startsWith('Which bot')))).toEqual([`pa:${botId}`, 'x']);
    expect(String((await press(aliceChat, `pa:${botId}`)).params.text)).toMatch(/^⏸ Paused\n/);
    expect((await botRow(botId)).status).toBe('paused');
    expect(buttons(await say(aliceChat, '/resume', (t) => t.startsWith('Which bot')))).toEqual([`re:${botId}`, 'x']);
    expect(String((await press(aliceChat, `re:${botId}`)).params.text)).toMatch(/^▶️ Resumed\n/);
    expect((await botRow(botId)).status).toBe('running');

    // manual SL/TP go to the bot's command inbox (the REST API's path), named by id or by symbol
    expect(String((await say(aliceChat, `/sl set ${short} long 1000`)).params.text)).toMatch(new RegExp(`^🎯 long manual stop-loss 1000 queued · .*${short}`));
    expect(String((await say(aliceChat, `/tp set ${REPLAY_SYMBOL} long 90000 95000`)).params.text)).toMatch(/^🎯 long manual take-profit 90000 \(50%\), 95000 \(50%\) queued/);
    expect(String((await say(aliceChat, '/tp clear long')).params.text)).toMatch(/^🧹 Clearing the long manual take-profit/);
    expect(String((await say(aliceChat, '/sl show')).params.text)).toMatch(/^Stop-loss/);
    expect(String((await say(aliceChat, '/sl set long')).params.text)).toMatch(/^Prices must be positive numbers\. Usage: \/sl set/);
    const commands = await ds.query(`SELECT payload->'command'->>'type' AS type, payload->>'source' AS source FROM bot_inputs WHERE bot_id = $1 AND kind = 'command' ORDER BY seq`, [botId]);
    expect(commands).toEqual([
      { type: 'set_stop_loss', source: 'telegram' },
      { type: 'set_take_profit', source: 'telegram' },
      { type: 'clear_take_profit', source: 'telegram' },
    ]);

    expect(String((await say(aliceChat, '/balance')).params.text)).toMatch(/^💰 alice paper \(paper\)\n {2}USDT: /);
    expect(String((await say(aliceChat, '/positions')).params.text)).toMatch(/^(📈 Open positions\nBTC\/USDT:USDT (long|short) |No open positions\.)/);
    expect(String((await say(aliceChat, '/history')).params.text)).toMatch(/^(🧾 Recent trades|No closed trades yet\.)/);
    expect(String((await say(aliceChat, '/profit')).params.text)).toMatch(/^💵 Profit \(all your bots and orders\)\nRealized: /);
    expect(String((await say(aliceChat, '/daily 3')).params.text)).toMatch(/^(📅 PnL per day \(last 3 days with fills\)|No realized PnL yet\.)/);
    expect(buttons(await say(aliceChat, '/backtest', (t) => t.startsWith('Backtest which')))).toEqual([`bt:${botId}`, 'x']);
    const bt = String((await press(aliceChat, `bt:${botId}`, (t) => t.startsWith('🧪') || t.startsWith('❌'))).params.text);
    // the last 500 stored candles (100..599 of the fixture)
    expect(bt).toMatch(/^🧪 Backtest · BTC\/USDT:USDT 1h · hyperrsi\n.* · 500 candles\nBalance: 10000 → /);
  }, 120_000);

  it('/stop: pick the bot, confirm with "close the position": stopped, its position closed at market', async () => {
    const pick = await say(aliceChat, '/stop', (t) => t.startsWith('Which bot'));
    expect(buttons(pick)).toEqual([`sp:b:${botId}`, 'x']);
    const confirm = await press(aliceChat, `sp:b:${botId}`, (t) => t.startsWith('Stop '));
    expect(buttons(confirm)).toEqual([`sp:y:${botId}:0`, `sp:y:${botId}:1`, 'x']);
    const stopped = String((await press(aliceChat, `sp:y:${botId}:1`, (t) => t.startsWith('⏹') || t.startsWith('❌'))).params.text);
    expect(stopped).toMatch(/^⏹ Stopped, position closed at market\n⏹ BTC\/USDT:USDT 1h · hyperrsi · stopped/);
    expect((await botRow(botId)).status).toBe('stopped');
    await tg.waitForMessage(aliceChat, (t) => t.startsWith('⏹ Bot stopped'), 30_000);
    expect(String((await say(aliceChat, '/stop')).params.text)).toBe('No bot is running.');
    // the stop placed the reduce-only market orders that close what the bot held (as POST .../stop closePosition does)
    // and they filled at once: a stopping replay bot walks no further, so the paper exchange settles its walk at the last
    // price (as a live exchange fills a market order) — the position is flat, not left waiting for a next bar
    const closing = await ds.query(`SELECT position_side, reduce_only, type, status FROM orders WHERE intent_key LIKE $1`, [`${botId}:stop:%`]);
    expect(closing.length).toBeGreaterThanOrEqual(1);
    for (const o of closing) expect(o).toMatchObject({ reduce_only: true, type: 'market', status: 'FILLED' });
  }, 90_000);

  it('every callback query was answered', async () => {
    await sleep(500);
    const answered = new Set(tg.callsOf('answerCallbackQuery').map((c) => String(c.params.callback_query_id)));
    expect(pressed.length).toBeGreaterThan(20);
    expect(pressed.filter((id) => !answered.has(`cb${id}`))).toEqual([]);
  });
});
