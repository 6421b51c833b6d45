import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { bearer, createUserAndLogin } from './support/auth';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';

/**
 * Issue 13 item 5: a user changes its password (current one required, one password rule, other sessions revoked);
 * an admin disables a user (login refused, access token and API key stop working at once) or deletes one (the same,
 * plus email and password hash scrubbed; the row and everything that references it stay).
 */
describe('user lifecycle: password change, disable, delete', () => {
  let app: HttpApp;
  let ds: DataSource;
  let worker: HttpApp | undefined;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    ds = app.get(DataSource);
    // the bot runtime (in-process, one DataSource per process as in the apps): stops the bots of a disabled user
    worker = await createHttpTestApp(WorkerModule.forRoot({ env: testEnv() }), false);
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await app?.close();
  });

  it('changes the password with the current one; a wrong current or a short new one is refused; sessions are revoked', async () => {
    const u = await createUserAndLogin(app);
    const wrong = await http().post('/api/auth/password').set('Authorization', bearer(u)).send({ currentPassword: 'not-it-at-all', newPassword: 'a-brand-new-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const short = await http().post('/api/auth/password').set('Authorization', bearer(u)).send({ currentPassword: u.password, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });

    const ok = await http().post('/api/auth/password').set('Authorization', bearer(u)).send({ currentPassword: u.password, newPassword: 'a-brand-new-password' });
    expect(ok.status).toBe(204);
    expect((await http().post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(401);
    expect((await http().post('/api/auth/login').send({ email: u.email, password: 'a-brand-new-password' })).status).toBe(200);
    // the session opened before the change is gone
    expect((await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken })).status).toBe(401);
  });

  it('an admin disables a user: login, its access token and its API key stop working; its data stays', async () => {
    const admin = await createUserAndLogin(app, { role: 'admin' });
    const u = await createUserAndLogin(app);
    const key = await http().post('/api/auth/api-keys').set('Authorization', bearer(u)).send({ name: 'k', scopes: ['read'] });
    expect(key.status).toBe(201);
    expect((await http().get('/api/auth/me').set('X-API-Key', key.body.key)).status).toBe(200);

    expect((await http().post(`/api/users/${u.userId}/disable`).set('Authorization', bearer(u))).status).toBe(403); // not an admin
    expect((await http().post(`/api/users/${admin.userId}/disable`).set('Authorization', bearer(admin))).status).toBe(400); // not oneself
    const res = await http().post(`/api/users/${u.userId}/disable`).set('Authorization', bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body.disabledAt).not.toBeNull();

    expect((await http().get('/api/auth/me').set('Authorization', bearer(u))).status).toBe(401);
    expect((await http().get('/api/auth/me').set('X-API-Key', key.body.key)).status).toBe(401);
    expect((await http().post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(401);
    expect((await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken })).status).toBe(401);
    const [row] = (await ds.query('SELECT email FROM users WHERE id = $1', [u.userId])) as Array<{ email: string }>;
    expect(row.email).toBe(u.email);
  });

  it("disabling a user stops every bot of theirs (the worker reacts to user.disabled), and nobody else's", async () => {
    const admin = await createUserAndLogin(app, { role: 'admin' });
    const u = await createUserAndLogin(app);
    const other = await createUserAndLogin(app);
    const botOf = async (owner: typeof u, label: string, symbol: string): Promise<string> => {
      const acc = await http().post('/api/exchange-accounts').set('Authorization', bearer(owner)).send({ exchange: 'paper', label, paperBalances: { USDT: '10000' } });
      expect(acc.status, JSON.stringify(acc.body)).toBe(201);
      const bot = await http()
        .post('/api/hyperrsi/bots')
        .set('Authorization', bearer(owner))
        .send({ accountId: acc.body.id, symbol, timeframe: '1h', settings: { leverage: 10, investment: 50 } });
      expect(bot.status, JSON.stringify(bot.body)).toBe(201);
      return bot.body.id as string;
    };
    const running = await botOf(u, 'u-1', 'BTC/USDT:USDT');
    const paused = await botOf(u, 'u-2', 'ETH/USDT:USDT');
    expect((await http().post(`/api/hyperrsi/bots/${paused}/pause`).set('Authorization', bearer(u))).status).toBe(200);
    const others = await botOf(other, 'o-1', 'BTC/USDT:USDT');

    expect((await http().post(`/api/users/${u.userId}/disable`).set('Authorization', bearer(admin))).status).toBe(200);
    const statusOf = async (id: string) => ((await ds.query('SELECT status, status_reason FROM bots WHERE id = $1', [id])) as Array<{ status: string; status_reason: string }>)[0];
    const deadline = Date.now() + 60_000;
    while ((await statusOf(running)).status !== 'stopped' || (await statusOf(paused)).status !== 'stopped') {
      if (Date.now() > deadline) throw new Error(`bots not stopped: ${JSON.stringify([await statusOf(running), await statusOf(paused)])}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await statusOf(running)).toEqual({ status: 'stopped', status_reason: 'stopped: the owner account was disabled' });
    expect((await statusOf(paused)).status_reason).toBe('stopped: the owner account was disabled');
    expect((await statusOf(others)).status).toBe('running');
    // the event is in the outbox with the change, and each bot's stop is an event of its own
    const events = (await ds.query(`SELECT type, payload->>'botId' AS bot FROM event_outbox WHERE user_id = $1 AND type IN ('user.disabled', 'bot.stopped') ORDER BY id`, [u.userId])) as Array<{ type: string; bot: string | null }>;
    expect(events[0]).toEqual({ type: 'user.disabled', bot: null });
    expect(events.slice(1).map((e) => e.bot).sort()).toEqual([running, paused].sort());
  }, 120_000);

  it('an admin deletes a user: disabled, email and password scrubbed, the row kept; unknown ids are 404', async () => {
    const admin = await createUserAndLogin(app, { role: 'admin' });
    const u = await createUserAndLogin(app);
    expect((await http().delete(`/api/users/${u.userId}`).set('Authorization', bearer(admin))).status).toBe(204);
    const [row] = (await ds.query('SELECT email, password_hash, disabled_at FROM users WHERE id = $1', [u.userId])) as Array<{ email: string; password_hash: string; disabled_at: Date | null }>;
    expect(row.email).not.toBe(u.email);
    expect(row.email).toMatch(/@deleted\.invalid$/);
    expect(row.disabled_at).not.toBeNull();
    expect((await http().post('/api/auth/login').send({ email: u.email, password: u.password })).status).toBe(401);
    expect((await http().get('/api/auth/me').set('Authorization', bearer(u))).status).toBe(401);
    expect((await http().delete('/api/users/00000000-0000-4000-8000-000000000000').set('Authorization', bearer(admin))).status).toBe(404);
  });
});
