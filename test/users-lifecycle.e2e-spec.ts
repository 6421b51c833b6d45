import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { bearer, createUserAndLogin } from './support/auth';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';

/**
 * Issue 13 item 5: a user changes its password (current one required, one password rule, other sessions revoked);
 * an admin disables a user (login refused, access token and API key stop working at once) or deletes one (the same,
 * plus email and password hash scrubbed; the row and everything that references it stay).
 */
describe('user lifecycle: password change, disable, delete', () => {
  let app: NestExpressApplication;
  let ds: DataSource;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    ds = app.get(DataSource);
  });
  afterAll(async () => {
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
