import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Redis from 'ioredis';
import { REDIS } from '@tb/redis';
import { CurrentUser, Scopes, ThrottleOrders, UsersService } from '@tb/users';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { LogCapture } from './support/log-capture';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

const JWT_SECRET = 'auth-e2e-secret-' + 'x'.repeat(32);
const LOGIN_LIMIT = 5;
const ORDERS_LIMIT = 3;

/** Stand-ins for other modules' routes: a read route and an order route with scope + rate limit. */
@Controller('api/probe')
class ProbeController {
  @Get('read')
  @Scopes('read')
  read(@CurrentUser('userId') userId: string) {
    return { userId };
  }

  @Post('orders')
  @HttpCode(201)
  @Scopes('trade')
  @ThrottleOrders()
  order(@CurrentUser('userId') userId: string) {
    return { placedBy: userId };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const randomEmail = (tag: string) => `${tag}-${randomBytes(5).toString('hex')}@Test.Example`;

describe('auth over HTTP (real PostgreSQL + Redis)', () => {
  let app: HttpApp;
  let ds: DataSource;
  const logs = new LogCapture();
  /** Every secret a test handles: none may ever appear in a log line. */
  const secrets: string[] = [];
  const http = () => request(app.getHttpServer());
  const track = <T extends { password: string; accessToken: string; refreshToken: string }>(u: T): T => {
    secrets.push(u.password, u.refreshToken);
    return u;
  };

  beforeAll(async () => {
    app = await createHttpTestApp({
      module: class AuthE2eRoot {},
      imports: [
        logs.module(),
        HyperrsiApiModule.forRoot({
          env: testEnv({
            LOG_LEVEL: 'info',
            JWT_SECRET,
            THROTTLE_LOGIN_PER_MIN: String(LOGIN_LIMIT),
            THROTTLE_ORDERS_PER_MIN: String(ORDERS_LIMIT),
          }),
        }),
        ProbeModule,
      ],
    });
    ds = app.get(DataSource);
  });
  afterAll(async () => app?.close());

  describe('login', () => {
    it('returns an access JWT (sub, role, typ) and an opaque refresh token; /me works with the JWT', async () => {
      const password = `pw-${randomBytes(9).toString('hex')}`;
      secrets.push(password);
      const email = randomEmail('login-ok');
      const created = await app.get(UsersService).createUser({ email, password, role: 'trader' });

      // emails are case-insensitive: log in with a different casing
      const res = await http().post('/api/auth/login').send({ email: email.toUpperCase(), password });
      expect(res.status).toBe(200);
      secrets.push(res.body.refreshToken);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, userId: created.id, role: 'trader' });
      expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [, payload] = (res.body.accessToken as string).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      expect(claims).toMatchObject({ sub: created.id, role: 'trader', typ: 'access' });
      expect(claims.exp - claims.iat).toBe(900);

      const me = await http().get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id: created.id,
        email: email.toLowerCase(),
        role: 'trader',
        scopes: ['read', 'trade'],
        via: 'jwt',
        createdAt: created.createdAt.toISOString(),
      });
    });

    it('stores the password as a salted scrypt hash and the refresh token as its sha256 only', async () => {
      const u = track(await createUserAndLogin(app));
      const [row] = await ds.query('SELECT password_hash FROM users WHERE id = $1', [u.userId]);
      expect(row.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
      expect(row.password_hash).not.toContain(u.password);
      const tokens: Array<{ token_hash: string }> = await ds.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [u.userId]);
      expect(tokens.map((t) => t.token_hash)).toEqual([sha256(u.refreshToken)]);
      expect(JSON.stringify(await ds.query('SELECT * FROM refresh_tokens WHERE user_id = $1', [u.userId]))).not.toContain(u.refreshToken);
    });

    it('wrong password and unknown email give the same 401 INVALID_CREDENTIALS body', async () => {
      const u = track(await createUserAndLogin(app));
      const wrong = await http().post('/api/auth/login').send({ email: u.email, password: u.password + 'x' });
      const unknown = await http().post('/api/auth/login').send({ email: randomEmail('nobody'), password: u.password });
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
      }
      const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, request_id: undefined, timestamp: undefined });
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
      expect(wrong.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password', path: '/api/auth/login' });
    });

    it('an unknown email costs about as much as a wrong password (a dummy scrypt hash is verified)', async () => {
      const u = track(await createUserAndLogin(app));
      const time = async (email: string) => {
        const t0 = performance.now();
        const res = await http().post('/api/auth/login').send({ email, password: 'not-the-password' });
        expect(res.status).toBe(401);
        return performance.now() - t0;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
      const wrongPw = median([await time(u.email), await time(u.email), await time(u.email)]);
      const unknown = median([await time(randomEmail('u1')), await time(randomEmail('u2')), await time(randomEmail('u3'))]);
      // Without the dummy hash an unknown email answers in ~1 ms against tens of ms for a real verification.
      expect(unknown).toBeGreaterThan(wrongPw * 0.4);
    });

    it('a validation failure never echoes the password', async () => {
      const password = 'Sup3r-Secret-In-A-Bad-Request';
      secrets.push(password);
      const res = await http().post('/api/auth/login').send({ email: 'not-an-email', password });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body)).not.toContain(password);
    });
  });

  describe('the global guard', () => {
    it('401 in the standard shape without credentials or with bad ones', async () => {
      const cases = [
        http().get('/api/auth/me'),
        http().get('/api/users'),
        http().get('/api/auth/me').set('Authorization', 'Basic dXNlcjpwYXNz'),
        http().get('/api/auth/me').set('Authorization', 'Bearer not.a.jwt'),
        http().get('/api/auth/me').set('X-API-Key', 'tb_' + 'A'.repeat(40)),
        http().get('/api/auth/me').set('X-API-Key', 'garbage'),
      ];
      for (const res of await Promise.all(cases)) {
        expect(res.status).toBe(401);
        expect(Object.keys(res.body)).toEqual(['error']);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
        expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
      }
    });

    it('rejects forged, expired and non-access JWTs', async () => {
      const u = track(await createUserAndLogin(app));
      const sign = (payload: object, secret: string, expiresIn = 60) =>
        new JwtService().sign(payload, { secret, expiresIn, issuer: 'tradingboost', audience: 'tradingboost-api', algorithm: 'HS256' });
      const good = { sub: u.userId, role: 'trader', typ: 'access' };
      const none =
        Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url') +
        '.' +
        Buffer.from(JSON.stringify({ ...good, iss: 'tradingboost', aud: 'tradingboost-api', exp: 4102444800 })).toString('base64url') +
        '.';
      expect((await http().get('/api/auth/me').set('Authorization', `Bearer ${sign(good, JWT_SECRET)}`)).status).toBe(200); // control
      const expired = await http().get('/api/auth/me').set('Authorization', `Bearer ${sign(good, JWT_SECRET, -10)}`);
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toBe('Access token expired');
      for (const token of [sign(good, 'another-secret-that-is-long-enough-000'), sign({ ...good, typ: 'refresh' }, JWT_SECRET), none]) {
        const res = await http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
      }
      // The role comes from the database, not from the token: a trader's token claiming admin is still a trader.
      const claimsAdmin = await http().get('/api/users').set('Authorization', `Bearer ${sign({ ...good, role: 'admin' }, JWT_SECRET)}`);
      expect(claimsAdmin.status).toBe(403);
    });

    it('a token accepted before (its verification is cached) is refused once it expires', async () => {
      const u = track(await createUserAndLogin(app));
      const exp = Math.floor(Date.now() / 1000) + 3;
      const token = new JwtService().sign(
        { sub: u.userId, role: 'trader', typ: 'access', exp },
        { secret: JWT_SECRET, issuer: 'tradingboost', audience: 'tradingboost-api', algorithm: 'HS256' },
      );
      const first = await http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
      if (Date.now() < exp * 1000) expect(first.status).toBe(200); // (a very slow machine may already be past exp)
      await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
      const later = await http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
      expect(later.status).toBe(401);
      expect(later.body.error.message).toBe('Access token expired');
    });

    it('liveness, readiness and docs stay public; metrics and detailed health are not (no METRICS_TOKEN here)', async () => {
      expect((await http().get('/health/live')).status).toBe(200);
      expect((await http().get('/health/ready')).status).toBe(200);
      expect((await http().get('/health')).status).toBe(404);
      expect((await http().get('/metrics')).status).toBe(404);
      expect((await http().get('/docs-json')).status).toBe(200);
    });

    it('documents every auth/users route with its error responses', async () => {
      const spec = (await http().get('/docs-json')).body as {
        paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }> }>>;
      };
      const expected: Record<string, Record<string, string[]>> = {
        '/api/auth/login': { post: ['200', '400', '401', '429'] },
        '/api/auth/refresh': { post: ['200', '400', '401'] },
        '/api/auth/logout': { post: ['204', '400', '401', '403'] },
        '/api/auth/me': { get: ['200', '401'] },
        '/api/auth/api-keys': { post: ['201', '400', '401', '403'], get: ['200', '401', '403'] },
        '/api/auth/api-keys/{id}': { delete: ['204', '400', '401', '403', '404'] },
        '/api/users': { post: ['201', '400', '401', '403', '409'], get: ['200', '401', '403'] },
      };
      for (const [path, methods] of Object.entries(expected)) {
        for (const [method, statuses] of Object.entries(methods)) {
          const op = spec.paths[path]?.[method];
          expect(op, `${method} ${path}`).toBeDefined();
          expect(Object.keys(op.responses).sort()).toEqual(statuses);
          for (const s of statuses.filter((x) => Number(x) >= 400)) {
            expect(op.responses[s].content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/ErrorResponseDto');
          }
        }
      }
    });

    it('refuses a request carrying both a JWT and an API key', async () => {
      const u = track(await createUserAndLogin(app));
      const res = await http().get('/api/auth/me').set('Authorization', bearer(u)).set('X-API-Key', 'tb_' + 'B'.repeat(40));
      expect(res.status).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotate: each refresh token works once and returns a new pair', async () => {
      const u = track(await createUserAndLogin(app));
      const r1 = await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(r1.status).toBe(200);
      secrets.push(r1.body.refreshToken);
      expect(r1.body.refreshToken).not.toBe(u.refreshToken);
      expect(r1.body.userId).toBe(u.userId);
      expect((await http().get('/api/auth/me').set('Authorization', `Bearer ${r1.body.accessToken}`)).status).toBe(200);

      const rows: Array<{ token_hash: string; revoked: boolean; replaced_by: string | null; id: string }> = await ds.query(
        'SELECT id, token_hash, revoked_at IS NOT NULL AS revoked, replaced_by FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at, revoked_at NULLS LAST',
        [u.userId],
      );
      const old = rows.find((r) => r.token_hash === sha256(u.refreshToken))!;
      const next = rows.find((r) => r.token_hash === sha256(r1.body.refreshToken))!;
      expect(old.revoked).toBe(true);
      expect(old.replaced_by).toBe(next.id);
      expect(next.revoked).toBe(false);

      const r2 = await http().post('/api/auth/refresh').send({ refreshToken: r1.body.refreshToken });
      expect(r2.status).toBe(200);
      secrets.push(r2.body.refreshToken);
    });

    it('reusing a rotated token revokes the whole family, and only that family', async () => {
      const u = track(await createUserAndLogin(app));
      // a second, independent login (another device)
      const other = await http().post('/api/auth/login').send({ email: u.email, password: u.password });
      expect(other.status).toBe(200);
      secrets.push(other.body.refreshToken);

      const rotated = await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(rotated.status).toBe(200);
      secrets.push(rotated.body.refreshToken);

      const replay = await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('INVALID_REFRESH_TOKEN');
      // the legitimate successor is dead too: the family is revoked
      const successor = await http().post('/api/auth/refresh').send({ refreshToken: rotated.body.refreshToken });
      expect(successor.status).toBe(401);
      expect(successor.body.error.code).toBe('INVALID_REFRESH_TOKEN');
      // the other device's session survives
      const otherRefresh = await http().post('/api/auth/refresh').send({ refreshToken: other.body.refreshToken });
      expect(otherRefresh.status).toBe(200);
      secrets.push(otherRefresh.body.refreshToken);

      const [{ live }] = await ds.query('SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [u.userId]);
      expect(live).toBe(1); // only the other device's newest token
    });

    it('rejects unknown and malformed refresh tokens', async () => {
      for (const refreshToken of [randomBytes(32).toString('base64url'), 'short', 'x'.repeat(43) + '!']) {
        const res = await http().post('/api/auth/refresh').send({ refreshToken });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
      }
    });

    it('logout revokes the session: its refresh token stops working', async () => {
      const u = track(await createUserAndLogin(app));
      expect((await http().post('/api/auth/logout').set('Authorization', bearer(u)).send({ refreshToken: u.refreshToken })).status).toBe(204);
      const res = await http().post('/api/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(res.status).toBe(401);
      // idempotent
      expect((await http().post('/api/auth/logout').set('Authorization', bearer(u)).send({ refreshToken: u.refreshToken })).status).toBe(204);
    });

    it("logout cannot revoke another user's session", async () => {
      const a = track(await createUserAndLogin(app));
      const b = track(await createUserAndLogin(app));
      expect((await http().post('/api/auth/logout').set('Authorization', bearer(a)).send({ refreshToken: b.refreshToken })).status).toBe(204);
      const res = await http().post('/api/auth/refresh').send({ refreshToken: b.refreshToken });
      expect(res.status).toBe(200);
      secrets.push(res.body.refreshToken);
    });
  });

  describe('personal API keys', () => {
    async function createKey(u: TestUser, scopes: string[], name = 'bot key') {
      const res = await http().post('/api/auth/api-keys').set('Authorization', bearer(u)).send({ name, scopes });
      if (res.status === 201) secrets.push(res.body.key);
      return res;
    }

    it('shows the key once, stores only its sha256, and authenticates /me with it', async () => {
      const u = track(await createUserAndLogin(app));
      const created = await createKey(u, ['read', 'trade'], 'tradingview');
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^tb_[0-9A-Za-z]{40}$/);
      expect(created.body).toMatchObject({ name: 'tradingview', prefix: key.slice(3, 11), scopes: ['read', 'trade'], lastUsedAt: null });

      const list = await http().get('/api/auth/api-keys').set('Authorization', bearer(u));
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(Object.keys(list.body.items[0]).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scopes']);
      expect(JSON.stringify(list.body)).not.toContain(key.slice(3));

      const rows = await ds.query('SELECT * FROM api_keys WHERE user_id = $1', [u.userId]);
      expect(rows).toHaveLength(1);
      expect(rows[0].key_hash).toBe(sha256(key));
      expect(JSON.stringify(rows)).not.toContain(key.slice(3)); // the secret part appears nowhere in the row

      const me = await http().get('/api/auth/me').set('X-API-Key', key);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: u.userId, via: 'api-key', scopes: ['read', 'trade'], apiKeyId: created.body.id });

      const after = await http().get('/api/auth/api-keys').set('Authorization', bearer(u));
      expect(after.body.items[0].lastUsedAt).not.toBeNull();
    });

    it('a revoked key is refused with 401; revoking is scoped to the owner', async () => {
      const u = track(await createUserAndLogin(app));
      const intruder = track(await createUserAndLogin(app));
      const { body } = await createKey(u, ['read']);
      expect((await http().get('/api/auth/me').set('X-API-Key', body.key)).status).toBe(200);

      // another user cannot see or revoke it: 404 like an unknown id
      expect((await http().delete(`/api/auth/api-keys/${body.id}`).set('Authorization', bearer(intruder))).status).toBe(404);
      expect((await http().get('/api/auth/api-keys').set('Authorization', bearer(intruder))).body.items).toEqual([]);
      expect((await http().get('/api/auth/me').set('X-API-Key', body.key)).status).toBe(200);

      expect((await http().delete(`/api/auth/api-keys/${body.id}`).set('Authorization', bearer(u))).status).toBe(204);
      const res = await http().get('/api/auth/me').set('X-API-Key', body.key);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect((await http().delete(`/api/auth/api-keys/${body.id}`).set('Authorization', bearer(u))).status).toBe(404);
      expect((await http().delete('/api/auth/api-keys/not-a-uuid').set('Authorization', bearer(u))).status).toBe(400);
      expect((await http().get('/api/auth/api-keys').set('Authorization', bearer(u))).body.items).toEqual([]);
    });

    it('keys cannot manage keys or log out (JWT-only routes)', async () => {
      const u = track(await createUserAndLogin(app));
      const { body } = await createKey(u, ['read', 'trade']);
      const res = await http().post('/api/auth/api-keys').set('X-API-Key', body.key).send({ name: 'x', scopes: ['read'] });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect((await http().delete(`/api/auth/api-keys/${body.id}`).set('X-API-Key', body.key)).status).toBe(403);
      expect((await http().post('/api/auth/logout').set('X-API-Key', body.key).send({ refreshToken: u.refreshToken })).status).toBe(403);
    });

    it('enforces scopes: a read-only key cannot trade; a trade key can', async () => {
      const u = track(await createUserAndLogin(app));
      const readOnly = (await createKey(u, ['read'])).body.key as string;
      const tradeOnly = (await createKey(u, ['trade'])).body.key as string;

      expect((await http().get('/api/probe/read').set('X-API-Key', readOnly)).status).toBe(200);
      const denied = await http().post('/api/probe/orders').set('X-API-Key', readOnly);
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required: ['trade'], missing: ['trade'] } });

      expect((await http().get('/api/probe/read').set('X-API-Key', tradeOnly)).status).toBe(403);
      const placed = await http().post('/api/probe/orders').set('X-API-Key', tradeOnly);
      expect(placed.status).toBe(201);
      expect(placed.body).toEqual({ placedBy: u.userId });
      // a JWT session has every scope of its role
      expect((await http().get('/api/probe/read').set('Authorization', bearer(u))).status).toBe(200);
    });

    it('a key cannot exceed its owner’s role; an admin key needs the admin scope for admin routes', async () => {
      const trader = track(await createUserAndLogin(app));
      const tooMuch = await createKey(trader, ['read', 'admin']);
      expect(tooMuch.status).toBe(403);
      expect(tooMuch.body.error.details).toEqual({ scopes: ['admin'] });
      expect((await createKey(trader, ['root'])).status).toBe(400);
      expect((await createKey(trader, [])).status).toBe(400);

      const admin = track(await createUserAndLogin(app, { role: 'admin' }));
      const readKey = (await createKey(admin, ['read'])).body.key as string;
      const adminKey = (await createKey(admin, ['admin'])).body.key as string;
      const denied = await http().get('/api/users').set('X-API-Key', readKey);
      expect(denied.status).toBe(403);
      expect(denied.body.error.details.missing).toEqual(['admin']);
      expect((await http().get('/api/users').set('X-API-Key', adminKey)).status).toBe(200);
    });
  });

  describe('admin routes', () => {
    it('403 for a trader, 201 for an admin; responses never carry hashes', async () => {
      const trader = track(await createUserAndLogin(app));
      const admin = track(await createUserAndLogin(app, { role: 'admin' }));
      const password = `pw-${randomBytes(9).toString('hex')}`;
      secrets.push(password);
      const email = randomEmail('created');

      const forbidden = await http().post('/api/users').set('Authorization', bearer(trader)).send({ email, password });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('FORBIDDEN');
      expect((await http().get('/api/users').set('Authorization', bearer(trader))).status).toBe(403);

      const created = await http().post('/api/users').set('Authorization', bearer(admin)).send({ email, password });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'disabledAt', 'email', 'id', 'role']);
      expect(created.body).toMatchObject({ email: email.toLowerCase(), role: 'trader', disabledAt: null });

      const dup = await http().post('/api/users').set('Authorization', bearer(admin)).send({ email: email.toUpperCase(), password });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('CONFLICT');

      const weak = await http().post('/api/users').set('Authorization', bearer(admin)).send({ email: randomEmail('weak'), password: 'short' });
      expect(weak.status).toBe(400);

      const list = await http().get('/api/users').set('Authorization', bearer(admin));
      expect(list.status).toBe(200);
      const mine = (list.body.items as Array<Record<string, unknown>>).find((i) => i.id === created.body.id);
      expect(mine).toEqual(created.body);
      expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/i);

      // the new user can log in
      const login = await http().post('/api/auth/login').send({ email, password });
      expect(login.status).toBe(200);
      secrets.push(login.body.refreshToken);
    });

    it('ensureAdmin seeds an admin once and never promotes an existing trader', async () => {
      const users = app.get(UsersService);
      const email = randomEmail('seed');
      const password = `pw-${randomBytes(9).toString('hex')}`;
      secrets.push(password);
      const first = await users.ensureAdmin(email, password);
      expect(first.created).toBe(true);
      expect(first.user.role).toBe('admin');
      const again = await users.ensureAdmin(email.toUpperCase(), 'a-different-password');
      expect(again).toMatchObject({ created: false, user: { id: first.user.id } });
      // the password was not reset by the second call
      expect((await http().post('/api/auth/login').send({ email, password })).status).toBe(200);

      const trader = track(await createUserAndLogin(app));
      await expect(users.ensureAdmin(trader.email, 'whatever-password')).rejects.toMatchObject({ code: 'CONFLICT' });
      const [{ role }] = await ds.query('SELECT role FROM users WHERE id = $1', [trader.userId]);
      expect(role).toBe('trader');
    });
  });

  describe('rate limits (Redis)', () => {
    it(`login: ${LOGIN_LIMIT} attempts per minute per IP+email, then 429 RATE_LIMITED; other emails unaffected`, async () => {
      const u = track(await createUserAndLogin(app)); // 1 attempt used by the helper's login
      for (let i = 1; i < LOGIN_LIMIT; i++) {
        expect((await http().post('/api/auth/login').send({ email: u.email, password: 'wrong-password' })).status).toBe(401);
      }
      const limited = await http().post('/api/auth/login').send({ email: u.email, password: u.password });
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', path: '/api/auth/login' });
      expect(Object.keys(limited.body.error).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      // the limit is per email: another account from the same IP still logs in
      const other = track(await createUserAndLogin(app));
      expect(other.accessToken).toBeTruthy();
      // counters live under the run's Redis prefix, with no email or IP in the key
      const redis = app.get<Redis>(REDIS);
      const keys = await redis.keys(`${testEnv().REDIS_KEY_PREFIX}:throttle:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toMatch(/@|127\.0\.0\.1/);
    });

    it(`orders: ${ORDERS_LIMIT} per minute per user, then 429; another user is unaffected`, async () => {
      const a = track(await createUserAndLogin(app));
      const b = track(await createUserAndLogin(app));
      for (let i = 0; i < ORDERS_LIMIT; i++) {
        expect((await http().post('/api/probe/orders').set('Authorization', bearer(a))).status).toBe(201);
      }
      const limited = await http().post('/api/probe/orders').set('Authorization', bearer(a));
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect((await http().post('/api/probe/orders').set('Authorization', bearer(b))).status).toBe(201);
      // routes without @ThrottleOrders are not limited
      for (let i = 0; i < ORDERS_LIMIT + 2; i++) {
        expect((await http().get('/api/probe/read').set('Authorization', bearer(a))).status).toBe(200);
      }
    });
  });

  describe('logs', () => {
    it('never contain a password, refresh token or API key (LOG_LEVEL=info)', () => {
      const text = logs.text();
      // the capture is live: the auth events were logged
      expect(text).toContain('login succeeded');
      expect(text).toContain('login failed');
      expect(text).toContain('api key created');
      expect(secrets.length).toBeGreaterThan(20);
      for (const s of secrets) expect(text.includes(s), `a secret leaked into the logs`).toBe(false);
      expect(text).not.toMatch(/\$scrypt\$/);
      expect(text).not.toMatch(/tb_[0-9A-Za-z]{40}/);
    });
  });
});
