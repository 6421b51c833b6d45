import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHash, randomInt } from 'node:crypto';
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
 * Chat ids are random per run and every assertion is scoped to this file's users and chats.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chat = () => randomInt(10_000_000, 2_000_000_000);

describe('Telegram: one poller, linking, refusal, REST', () => {
  // a bot id of its own: the poll lease key is per bot id
  const tg = new FakeTelegramServer(`${randomInt(100_000_000, 999_999_999)}:AAtest-token-for-the-fake-telegram`);
  let api: NestExpressApplication;
  let w1: NestExpressApplication;
  let w2: NestExpressApplication;
  let ds: DataSource;
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

  beforeAll(async () => {
    const apiRoot = await tg.start();
    const env = testEnv({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot });
    api = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    ds = api.get(DataSource);
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

  it('when the polling worker stops, the other takes over (still one poller, no conflict)', async () => {
    const [holder, spare] = w1.get(TelegramBotService).isPolling ? [w1, w2] : [w2, w1];
    await holder.close();
    const end = Date.now() + 12_000;
    while (!spare.get(TelegramBotService).isPolling && Date.now() < end) await sleep(100);
    expect(spare.get(TelegramBotService).isPolling).toBe(true);
    const phone = chat();
    expect(await say(phone, `/start ${await newCode(bob)}`)).toMatch(/^Linked\./);
    expect(tg.conflicts).toBe(0);
  }, 30_000);
});
