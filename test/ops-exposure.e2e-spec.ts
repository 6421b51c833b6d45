import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin } from './support/auth';

const TOKEN = 'ops-e2e-metrics-token-abcdefghijklmnop';
const DETAILED = ['/metrics', '/health', '/health/db', '/health/redis'];

const expectShape = (res: request.Response, status: number) => {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
};

describe('operator endpoints on an API port', () => {
  describe('without METRICS_TOKEN', () => {
    let app: HttpApp;
    beforeAll(async () => {
      app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    });
    afterAll(async () => app?.close());

    it.each(DETAILED)('%s does not exist (404 in the standard shape), even with a bearer', async (path) => {
      expectShape(await request(app.getHttpServer()).get(path), 404);
      expectShape(await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${TOKEN}`), 404);
    });

    it('/health/live and /health/ready stay public; ready says up/down per component and no figures', async () => {
      expect((await request(app.getHttpServer()).get('/health/live')).status).toBe(200);
      const ready = await request(app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details).toEqual({ database: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } });
      expect(JSON.stringify(ready.body)).not.toMatch(/pool|latency|utilisation/i);
    });
  });

  describe('with METRICS_TOKEN', () => {
    let app: HttpApp;
    beforeAll(async () => {
      app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv({ METRICS_TOKEN: TOKEN }) }));
    });
    afterAll(async () => app?.close());

    it.each(DETAILED)('%s: 401 without or with a wrong token, 200 with it', async (path) => {
      const none = await request(app.getHttpServer()).get(path);
      expectShape(none, 401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expectShape(await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${TOKEN}x`), 401);
      const ok = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${TOKEN}`);
      expect(ok.status).toBe(200);
    });

    it('a user JWT does not open /metrics', async () => {
      const u = await createUserAndLogin(app);
      expectShape(await request(app.getHttpServer()).get('/metrics').set('Authorization', bearer(u)), 401);
    });
  });
});

describe('Content-Security-Policy', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    const candles = readCandlesCsv('data/binance_BTC-USDT_1h_2024-2025.csv').slice(0, 400);
    await app.get(MarketCandlesRepository).upsert('cspx', 'BTC/USDT', '1h', candles);
  });
  afterAll(async () => app?.close());

  const directives = (header: string | undefined) =>
    Object.fromEntries((header ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([k, ...v]) => [k, v]));

  it('/docs: scripts from its own origin only, never inline or eval; no framing', async () => {
    const res = await request(app.getHttpServer()).get('/docs/');
    expect(res.status).toBe(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'none'"]);
    // the page it serves really needs nothing else: no inline <script> body
    expect(res.text).not.toMatch(/<script>[^<]+<\/script>/);
  });

  it('JSON answers carry a deny-all policy', async () => {
    const csp = directives((await request(app.getHttpServer()).get('/health/live')).headers['content-security-policy']);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
  });

  it('the HTML report allows exactly its own inline scripts (by hash), nothing remote', async () => {
    const u = await createUserAndLogin(app);
    const run = await request(app.getHttpServer())
      .post('/api/backtests/run')
      .set('Authorization', bearer(u))
      .send({ strategy: 'hyperrsi', exchange: 'cspx', symbol: 'BTC/USDT', timeframe: '1h', from: '2024-01-01T00:00:00Z', to: '2024-01-15T00:00:00Z' });
    expect(run.status).toBe(200);
    const res = await request(app.getHttpServer()).get(`/api/backtests/${run.body.id}/report`).set('Authorization', bearer(u));
    expect(res.status).toBe(200);
    const csp = directives(res.headers['content-security-policy']);
    const inline = [...res.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
    expect(inline.length).toBeGreaterThanOrEqual(2);
    expect(csp['script-src']).toEqual(inline);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(["'none'"]);
    expect(res.text).not.toMatch(/<script[^>]+src=/);
  });
});
