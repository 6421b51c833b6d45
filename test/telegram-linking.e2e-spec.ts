import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { encodeEvent, streamKey, type EventType } from '@tb/events';
import { REDIS } from '@tb/redis';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL, TelegramBotService, TelegramLinkingService } from '@tb/notifications';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { expectError } from './support/error-shape';
import { FakeTelegramServer } from './support/fake-telegram/fake-telegram.server';

/**
 * Telegram linking (docs/adr/0017-telegram.md) with the real telegraf client against the local fake Bot API:
 * one poller per token across two workers (a Redis lease), one-time hashed link codes, /start <code>, /unlink,
 * the polite refusal of unlinked chats, and the REST for chats and notification preferences.
 * Notifications: the lease holder's consumer group on the events stream sends each event to the user's linked chats,
 * in order per chat, paced (≥ ~1 s apart per chat), per preference (silent = no sound, off = nothing), once per event
 * id even when redelivered, through injected 429/5xx/timeouts; a 403 marks the chat inactive (events are XADDed as the
 * relay does). One file (one token) on purpose: every linked chat is in the shared database, so two test files with
 * two bots would deliver each other's events.
 * Chat ids are random per run and every assertion is scoped to this file's users and chats.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chat = () => randomInt(10_000_000, 2_000_000_000);

describe('Telegram: one poller, linking, refusal, REST, notifications', () => {
  // a bot id of its own: the poll lease key is per bot id
  const tg = new FakeTelegramServer(`${randomInt(100_000_000, 999_999_999)}:AAtest-token-for-the-fake-telegram`);
  let api: HttpApp;
  let w1: HttpApp;
  let w2: HttpApp;
  let ds: DataSource;
  let redis: Redis;
  let prefix: string;
  let alice: TestUser;
  let bob: TestUser;
  const H = () => request(api.getHttpServer());
  const newCode = async (u: TestUser): Promise<string> => {
    const res = await H().post('/api/telegram/link-codes').set('Authorization', bearer(u));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.code as string;
  };
  /** Sends a text and waits for the bot's next answer to that chat. */
  const say = async (chatId: number, text: string): Promise<string> => {
    const since = tg.calls.length;
    tg.sendText(chatId, text);
    return String((await tg.waitForMessage(chatId, () => true, 10_000, since)).params.text);
  };

  const link = async (u: TestUser, chatId: number): Promise<void> => {
    const code = (await H().post('/api/telegram/link-codes').set('Authorization', bearer(u))).body.code as string;
    const since = tg.calls.length;
    tg.sendText(chatId, `/start ${code}`);
    await tg.waitForMessage(chatId, (t) => t.startsWith('Linked.'), 10_000, since);
  };
  const emit = async (u: TestUser, type: EventType, payload: Record<string, unknown>, eventId: string = randomUUID()): Promise<string> => {
    await redis.xadd(streamKey(prefix), '*', ...encodeEvent({ eventId, type, userId: u.userId, payload, createdAt: new Date().toISOString() }));
    return eventId;
  };
  const waitTexts = async (chatId: number, n: number, timeoutMs = 30_000): Promise<string[]> => {
    const end = Date.now() + timeoutMs;
    while (tg.textsTo(chatId).length < n && Date.now() < end) await sleep(50);
    return tg.textsTo(chatId);
  };
  const fill = (i: number) => ({ botId: 'b0000000-0000', symbol: 'BTC/USDT:USDT', side: 'buy', filled: `0.00${i}`, averagePrice: '60000.5' });

  beforeAll(async () => {
    const apiRoot = await tg.start();
    const env = testEnv({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot });
    api = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    ds = api.get(DataSource);
    redis = api.get(REDIS);
    prefix = env.REDIS_KEY_PREFIX!;
    alice = await createUserAndLogin(api);
    bob = await createUserAndLogin(api);
    w1 = await createHttpTestApp(WorkerModule.forRoot({ env }), false);
    w2 = await createHttpTestApp(WorkerModule.forRoot({ env }), false);
  }, 180_000);

  afterAll(async () => {
    await w1?.close();
    await w2?.close();
    await api?.close();
    await tg.stop();
  });

  it('two workers with the same token: exactly one polls, no 409 conflict; commands are registered', async () => {
    await sleep(3_000); // several long polls (the fake holds each 2 s) and lease ticks
    const polling = [w1, w2].filter((w) => w.get(TelegramBotService).isPolling);
    expect(polling).toHaveLength(1);
    expect(tg.conflicts).toBe(0);
    expect(tg.callsOf('getUpdates').length).toBeGreaterThan(0);
    const commands = tg.callsOf('setMyCommands').at(-1)?.params.commands as Array<{ command: string }>;
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'help', 'unlink']));
  });

  it('an unlinked chat gets the polite refusal and nothing else', async () => {
    const stranger = chat();
    expect(await say(stranger, '/help')).toBe(REFUSAL);
    expect(await say(stranger, 'hello')).toBe(REFUSAL);
    expect(await say(stranger, '/start')).toBe(REFUSAL);
    tg.pressButton(stranger, 1, 'st:r');
    await sleep(500);
    // the callback was answered, and the chat received exactly the three refusals
    expect(tg.callsOf('answerCallbackQuery').some((c) => String(c.params.callback_query_id).startsWith('cb'))).toBe(true);
    expect(tg.textsTo(stranger)).toEqual([REFUSAL, REFUSAL, REFUSAL]);
  });

  it('a link code is stored hashed, links one chat once; a second use, a wrong or expired code link nothing', async () => {
    const code = await newCode(alice);
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    const rows = await ds.query('SELECT code_hash, used_at FROM telegram_link_codes WHERE user_id = $1', [alice.userId]);
    expect(rows).toEqual([{ code_hash: createHash('sha256').update(code).digest('hex'), used_at: null }]);

    const phone = chat();
    expect(await say(phone, `/start ${code.toLowerCase()}`)).toMatch(/^Linked\./);
    const other = chat();
    expect(await say(other, `/start ${code}`)).toMatch(/unknown, used or expired/);
    expect(await say(other, '/start ZZZZZZZZZZ')).toMatch(/unknown, used or expired/);
    const expired = await api.get(TelegramLinkingService).createCode(alice.userId, new Date(Date.now() - 11 * 60_000));
    expect(await say(other, `/start ${expired.code}`)).toMatch(/unknown, used or expired/);
    expect(await say(other, '/help')).toBe(REFUSAL);

    const list = await H().get('/api/telegram/chats').set('Authorization', bearer(alice));
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ chatId: String(phone), active: true })]);
    expect(await say(phone, '/help')).toMatch(/\/unlink/);
  });

  it('one user links several chats; another user sees and removes none of them; /unlink and DELETE unlink', async () => {
    const laptop = chat();
    const tablet = chat();
    expect(await say(laptop, `/start ${await newCode(alice)}`)).toMatch(/^Linked\./);
    expect(await say(tablet, `/start ${await newCode(alice)}`)).toMatch(/^Linked\./);
    const bobChat = chat();
    expect(await say(bobChat, `/start ${await newCode(bob)}`)).toMatch(/^Linked\./);

    const mine = (await H().get('/api/telegram/chats').set('Authorization', bearer(alice))).body.items as Array<{ id: string; chatId: string }>;
    expect(mine.map((c) => c.chatId)).toEqual(expect.arrayContaining([String(laptop), String(tablet)]));
    expect(mine.map((c) => c.chatId)).not.toContain(String(bobChat));
    const bobs = (await H().get('/api/telegram/chats').set('Authorization', bearer(bob))).body.items as Array<{ id: string; chatId: string }>;
    expect(bobs.map((c) => c.chatId)).toEqual([String(bobChat)]);

    const laptopRow = mine.find((c) => c.chatId === String(laptop))!;
    expectError(await H().delete(`/api/telegram/chats/${laptopRow.id}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expect((await H().delete(`/api/telegram/chats/${laptopRow.id}`).set('Authorization', bearer(alice))).status).toBe(204);
    expect(await say(laptop, '/help')).toBe(REFUSAL);

    expect(await say(tablet, '/unlink')).toMatch(/^Unlinked\./);
    expect(await say(tablet, '/help')).toBe(REFUSAL);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM telegram_chats WHERE chat_id = ANY($1::bigint[])', [[laptop, tablet]]);
    expect(n).toBe(0);
  });

  it('notification preferences: on by default, set per event type, validated, per user', async () => {
    const get = await H().get('/api/telegram/notification-preferences').set('Authorization', bearer(alice));
    expect(get.status).toBe(200);
    expect(get.body.preferences).toEqual({
      'order.filled': 'on', 'position.opened': 'on', 'position.closed': 'on', 'bot.started': 'on', 'bot.stopped': 'on', 'bot.paused': 'on', 'bot.error': 'on',
    });
    const put = await H().put('/api/telegram/notification-preferences/order.filled').set('Authorization', bearer(alice)).send({ mode: 'silent' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.preferences['order.filled']).toBe('silent');
    await H().put('/api/telegram/notification-preferences/bot.paused').set('Authorization', bearer(alice)).send({ mode: 'off' });
    expectError(await H().put('/api/telegram/notification-preferences/order.filled').set('Authorization', bearer(alice)).send({ mode: 'loud' }), 400, 'VALIDATION_FAILED');
    expectError(await H().put('/api/telegram/notification-preferences/order.canceled').set('Authorization', bearer(alice)).send({ mode: 'on' }), 400, 'VALIDATION_FAILED');
    const again = (await H().get('/api/telegram/notification-preferences').set('Authorization', bearer(alice))).body.preferences;
    expect(again).toMatchObject({ 'order.filled': 'silent', 'bot.paused': 'off', 'bot.error': 'on' });
    const bobs = (await H().get('/api/telegram/notification-preferences').set('Authorization', bearer(bob))).body.preferences;
    expect(bobs['order.filled']).toBe('on');
  });

  it('every event reaches every linked chat once, in order, ≥ ~1 s apart per chat, through 20% injected 429/5xx/timeouts', async () => {
    const alice = await createUserAndLogin(api);
    const [a1, a2] = [chat(), chat()];
    await link(alice, a1);
    await link(alice, a2);
    const before1 = tg.textsTo(a1).length; // the "Linked." answer
    // two scripted faults for sure (a 429 with retry_after and a 502), then 20% at random
    tg.failNext('sendMessage', { kind: '429', retryAfter: 1 });
    tg.failNext('sendMessage', { kind: '5xx' });
    tg.setRandomFaults({ rate: 0.2, kinds: [{ kind: '429', retryAfter: 1 }, { kind: '5xx' }, { kind: 'timeout' }] });
    const n = 8;
    for (let i = 1; i <= n; i++) await emit(alice, 'order.filled', fill(i));
    const got1 = (await waitTexts(a1, before1 + n, 60_000)).slice(before1);
    const got2 = (await waitTexts(a2, before1 + n, 60_000)).slice(before1);
    tg.setRandomFaults(undefined);
    const expected = Array.from({ length: n }, (_, k) => `✅ Filled buy 0.00${k + 1} BTC/USDT:USDT @ 60000.5 · bot b0000000`);
    expect([a1, a2].flatMap((c) => tg.callsOf('sendMessage', c)).filter((x) => !x.accepted).length).toBeGreaterThanOrEqual(2);
    expect(got1).toEqual(expected);
    expect(got2).toEqual(expected);
    // pacing: accepted sends to one chat are ≥ ~1 s apart. The pacer spaces the send STARTS by 1 s exactly (Redis
    // slots); these are arrival times at the fake server, which carry the HTTP client's scheduling jitter (up to ~70 ms
    // seen on a loaded 2-core machine, the crash test allows 200 ms): 100 ms of slack
    for (const c of [a1, a2]) {
      const at = tg.callsOf('sendMessage', c).filter((x) => x.accepted).slice(-n).map((x) => x.at);
      for (let k = 1; k < at.length; k++) expect(at[k] - at[k - 1]).toBeGreaterThanOrEqual(900);
    }
    await sleep(1_500);
    expect(tg.textsTo(a1).length).toBe(before1 + n); // nothing extra
  }, 90_000);

  it('a redelivered event id sends nothing more; silent has no sound; off sends nothing', async () => {
    const bob = await createUserAndLogin(api);
    const c = chat();
    await link(bob, c);
    const id = await emit(bob, 'bot.started', { botId: 'c0000000-1', symbol: 'ETH/USDT:USDT' });
    expect((await waitTexts(c, 2)).slice(1)).toEqual(['▶️ Bot started · bot c0000000 · ETH/USDT:USDT']);
    await emit(bob, 'bot.started', { botId: 'c0000000-1', symbol: 'ETH/USDT:USDT' }, id); // the relay's re-publish
    await H().put('/api/telegram/notification-preferences/bot.paused').set('Authorization', bearer(bob)).send({ mode: 'silent' });
    await H().put('/api/telegram/notification-preferences/bot.error').set('Authorization', bearer(bob)).send({ mode: 'off' });
    await emit(bob, 'bot.error', { botId: 'c0000000-1', message: 'boom' });
    await emit(bob, 'bot.paused', { botId: 'c0000000-1' });
    const texts = (await waitTexts(c, 3)).slice(1);
    await sleep(1_500);
    expect(tg.textsTo(c).slice(1)).toEqual(['▶️ Bot started · bot c0000000 · ETH/USDT:USDT', '⏸ Bot paused · bot c0000000']);
    expect(texts).toHaveLength(2);
    const paused = tg.callsOf('sendMessage', c).filter((x) => x.accepted).at(-1)!;
    expect(paused.params.disable_notification).toBe(true);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM sent_notifications WHERE event_id = $1', [id]);
    expect(n).toBe(1);
  }, 60_000);

  it('a chat that blocked the bot (403) is marked inactive and skipped; the user\'s other chat still receives', async () => {
    const carol = await createUserAndLogin(api);
    const [blocked, ok] = [chat(), chat()];
    await link(carol, blocked);
    await link(carol, ok);
    tg.blockedChats.add(blocked);
    await emit(carol, 'bot.stopped', { botId: 'd0000000-1', reason: 'manual' });
    expect((await waitTexts(ok, 2)).slice(1)).toEqual(['⏹ Bot stopped · bot d0000000 · manual']);
    // each chat has its own delivery queue: the other chat's message may land before the 403 is recorded
    const chatsOf = async () => ds.query('SELECT chat_id::text AS chat, active FROM telegram_chats WHERE user_id = $1 ORDER BY chat_id', [carol.userId]);
    for (const deadline = Date.now() + 10_000; ; ) {
      const rows = await chatsOf();
      if (rows.some((r: { chat: string; active: boolean }) => r.chat === String(blocked) && !r.active) || Date.now() > deadline) break;
      await sleep(100);
    }
    expect(await chatsOf()).toEqual(expect.arrayContaining([{ chat: String(blocked), active: false }, { chat: String(ok), active: true }]));
    const triedBlocked = tg.callsOf('sendMessage', blocked).filter((x) => !x.accepted).length;
    await emit(carol, 'bot.paused', { botId: 'd0000000-1' });
    await waitTexts(ok, 3);
    expect(tg.callsOf('sendMessage', blocked).filter((x) => !x.accepted).length).toBe(triedBlocked); // not tried again
  }, 60_000);
  it('when the polling worker stops, the other takes over (still one poller)', async () => {
    const conflictsBefore = tg.conflicts;
    const [holder, spare] = w1.get(TelegramBotService).isPolling ? [w1, w2] : [w2, w1];
    await holder.close();
    const end = Date.now() + 12_000;
    while (!spare.get(TelegramBotService).isPolling && Date.now() < end) await sleep(100);
    expect(spare.get(TelegramBotService).isPolling).toBe(true);
    const phone = chat();
    expect(await say(phone, `/start ${await newCode(bob)}`)).toMatch(/^Linked\./);
    // at most the one handover poll: the stopped client's aborted long poll may still be open at the fake (TODO)
    expect(tg.conflicts - conflictsBefore).toBeLessThanOrEqual(1);
    expect([w1, w2].filter((w) => w !== holder && w.get(TelegramBotService).isPolling)).toHaveLength(1);
  }, 30_000);
});
