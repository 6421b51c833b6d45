import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { expectError } from './support/error-shape';
import { REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF } from './support/bots';

/**
 * HYPERRSI presets on the built app (docs/adr/0018-trader-commands.md): per user, named, one default; settings
 * validated by the strategy (per-symbol investments and dual-side settings included); a bot created from a preset
 * keeps its own copy (editing the preset never changes it); applying a preset to a bot is a journaled settings change.
 * Every count is scoped to this file's users.
 */

const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HYPERRSI presets: /api/hyperrsi/presets', () => {
  let api: HttpApp;
  let worker: HttpApp;
  let ds: DataSource;
  let alice: TestUser;
  let bob: TestUser;
  const H = () => request(api.getHttpServer());
  const presetsOf = async (u: TestUser): Promise<number> => {
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM hyperrsi_presets WHERE user_id = $1', [u.userId]);
    return n as number;
  };

  beforeAll(async () => {
    const env = testEnv();
    api = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    ds = api.get(DataSource);
    await api.get(MarketCandlesRepository).upsert(REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, candles);
    alice = await createUserAndLogin(api);
    bob = await createUserAndLogin(api);
    worker = await createHttpTestApp(WorkerModule.forRoot({ env }), false);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  // sent under the original's names; the API answers under its camelCase names (settingsApi), the database keeps the originals
  const settings = { investment: 300, leverage: 10, symbol_investments: { 'ETH/USDT:USDT': 40 }, use_dual_side_entry: true, dual_side_entry_trigger: 2, rsi_oversold: 25 };
  const settingsApi = { investment: 300, leverage: 10, symbolInvestments: { 'ETH/USDT:USDT': 40 }, useDualSideEntry: true, dualSideEntryTrigger: 2, rsiOversold: 25 };

  it('create, list, one default at a time; names unique per user', async () => {
    const a = await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: 'aggressive', settings, isDefault: true });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ name: 'aggressive', settings: settingsApi, isDefault: true });
    const [stored] = await ds.query(`SELECT settings FROM hyperrsi_presets WHERE id = $1`, [a.body.id]);
    expect(stored.settings).toEqual(settings);
    const b = await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: 'calm', settings: { investment: 250 }, isDefault: true });
    expect(b.status).toBe(201);
    const list = await H().get('/api/hyperrsi/presets').set('Authorization', bearer(alice));
    expect(list.body.items.map((p: { name: string; isDefault: boolean }) => [p.name, p.isDefault])).toEqual([
      ['aggressive', false],
      ['calm', true],
    ]);
    expect((await H().get('/api/hyperrsi/presets/default').set('Authorization', bearer(alice))).body.id).toBe(b.body.id);
    const again = await H().post(`/api/hyperrsi/presets/${a.body.id}/default`).set('Authorization', bearer(alice));
    expect(again.body.isDefault).toBe(true);
    expect((await H().get('/api/hyperrsi/presets/default').set('Authorization', bearer(alice))).body.id).toBe(a.body.id);
    const before = await presetsOf(alice);
    expectError(await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: 'calm', settings: {} }), 409, 'CONFLICT');
    expect(await presetsOf(alice)).toBe(before);
    // the same name is free for another user; bob has no default
    expect((await H().post('/api/hyperrsi/presets').set('Authorization', bearer(bob)).send({ name: 'calm', settings: {} })).status).toBe(201);
    expectError(await H().get('/api/hyperrsi/presets/default').set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
  });

  it('bad settings (a per-symbol investment under 1, a dual-side trigger of 0): 400 per settings.<field>, nothing written', async () => {
    const before = await presetsOf(alice);
    const res = await H()
      .post('/api/hyperrsi/presets')
      .set('Authorization', bearer(alice))
      .send({ name: 'broken', settings: { symbol_investments: { 'BTC/USDT:USDT': 0 }, dual_side_entry_trigger: 0 } });
    expectError(res, 400, 'STRATEGY_SETTINGS_INVALID');
    const fields = (res.body.error.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['settings.dualSideEntryTrigger', expect.stringMatching(/^settings\.symbolInvestments\./)]);
    expectError(await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: '', settings: 'x' }), 400, 'VALIDATION_FAILED');
    expect(await presetsOf(alice)).toBe(before);
  });

  it("another user's preset: 404 on every route", async () => {
    const mine = await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: 'private', settings: {} });
    const id = mine.body.id as string;
    expectError(await H().get(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await H().put(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(bob)).send({ name: 'mine now' }), 404, 'NOT_FOUND');
    expectError(await H().delete(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expectError(await H().post(`/api/hyperrsi/presets/${id}/default`).set('Authorization', bearer(bob)), 404, 'NOT_FOUND');
    expect((await H().get(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(alice))).body.name).toBe('private');
    expect((await H().delete(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(alice))).status).toBe(204);
    expectError(await H().get(`/api/hyperrsi/presets/${id}`).set('Authorization', bearer(alice)), 404, 'NOT_FOUND');
  });

  it('a bot from a preset keeps its own copy; applying the preset to the bot is a journaled settings change', async () => {
    const preset = await H().post('/api/hyperrsi/presets').set('Authorization', bearer(alice)).send({ name: 'for bots', settings });
    const acc = await H().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: 'presets', paperBalances: { USDT: '10000' } });
    const feed = { kind: 'replay', from: candles[0].time, to: candles[99].time, speed: 3600 }; // one second per candle: running through the test
    const bot = await H().post(`/api/hyperrsi/presets/${preset.body.id}/bots`).set('Authorization', bearer(alice)).send({ accountId: acc.body.id, symbol: REPLAY_SYMBOL, timeframe: REPLAY_TF, settings: { rsi_overbought: 80 }, feed });
    expect(bot.status, JSON.stringify(bot.body)).toBe(201);
    expect(bot.body.settings).toEqual({ ...settingsApi, rsiOverbought: 80 });
    // editing the preset does not touch the bot
    const edited = await H().put(`/api/hyperrsi/presets/${preset.body.id}`).set('Authorization', bearer(alice)).send({ settings: { ...settings, rsi_oversold: 20 } });
    expect(edited.status).toBe(200);
    expect((await H().get(`/api/hyperrsi/bots/${bot.body.id}`).set('Authorization', bearer(alice))).body.settings.rsiOversold).toBe(25);
    // bob cannot apply his preset to alice's bot, nor alice's preset to anything
    const bobs = await H().post('/api/hyperrsi/presets').set('Authorization', bearer(bob)).send({ name: 'bobs', settings: {} });
    expectError(await H().post(`/api/hyperrsi/presets/${bobs.body.id}/apply`).set('Authorization', bearer(bob)).send({ botId: bot.body.id }), 404, 'NOT_FOUND');
    expectError(await H().post(`/api/hyperrsi/presets/${preset.body.id}/apply`).set('Authorization', bearer(bob)).send({ botId: bot.body.id }), 404, 'NOT_FOUND');
    // apply: the preset's settings over the bot's, then journaled as a settings decision
    const applied = await H().post(`/api/hyperrsi/presets/${preset.body.id}/apply`).set('Authorization', bearer(alice)).send({ botId: bot.body.id });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.settings).toEqual({ ...settingsApi, rsiOversold: 20, rsiOverbought: 80 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows: Array<{ input: { settings: { rsi_oversold: number } } }> = await ds.query(`SELECT input FROM bot_decisions WHERE bot_id = $1 AND kind = 'settings'`, [bot.body.id]);
      if (rows.length) {
        expect(rows.map((r) => r.input.settings.rsi_oversold)).toEqual([20]);
        break;
      }
      if (Date.now() > deadline) throw new Error('the settings change was not journaled');
      await sleep(250);
    }
  }, 120_000);
});
