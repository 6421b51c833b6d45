import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';

/** /health, /health/db, /health/redis and /metrics are behind METRICS_TOKEN (ops-exposure.e2e-spec.ts covers the refusal). */
const METRICS_TOKEN = 'health-e2e-metrics-token-0123456789';
const ops = { Authorization: `Bearer ${METRICS_TOKEN}` };

describe('health probes with everything up', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv({ METRICS_TOKEN }) }));
  });
  afterAll(async () => app?.close());

  it('GET /health reports database, redis and queues up', async () => {
    const res = await request(app.getHttpServer()).get('/health').set(ops);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.details).sort()).toEqual(['database', 'queues', 'redis']);
  });

  it('GET /health/db reports pool metrics', async () => {
    const res = await request(app.getHttpServer()).get('/health/db').set(ops);
    expect(res.status).toBe(200);
    const pool = res.body.details.database.pool;
    expect(pool.size).toBe(5); // DB_POOL_SIZE from testEnv
    for (const k of ['inUse', 'idle', 'waiting', 'utilisation']) expect(typeof pool[k]).toBe('number');
  });

  it('GET /health/redis reports the ping latency in ms', async () => {
    const res = await request(app.getHttpServer()).get('/health/redis').set(ops);
    expect(res.status).toBe(200);
    expect(res.body.details.redis.latencyMs).toBeGreaterThanOrEqual(0);
    expect(res.body.details.redis.latencyMs).toBeLessThan(1000);
  });

  it('GET /health/ready and /health/live are 200', async () => {
    expect((await request(app.getHttpServer()).get('/health/ready')).status).toBe(200);
    const live = await request(app.getHttpServer()).get('/health/live');
    expect(live.status).toBe(200);
    // terminus's answer for one indicator that is up (the probe builds it without terminus)
    const process = { status: 'up', uptimeS: expect.any(Number), pid: expect.any(Number) };
    expect(live.body).toEqual({ status: 'ok', info: { process }, error: {}, details: { process } });
  });
});

describe('health probes with Redis unreachable', () => {
  let app: HttpApp;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, connections are refused.
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv({ REDIS_URL: 'redis://127.0.0.1:1', METRICS_TOKEN }) }));
  });
  afterAll(async () => app?.close());

  it.each(['/health/redis', '/health/ready', '/health'])('%s answers 503 within 3 s', async (path) => {
    const started = Date.now();
    const res = await request(app.getHttpServer()).get(path).set(ops);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    const report = res.body.error.details;
    expect(report.status).toBe('error');
    expect(report.error.redis?.status ?? report.error.queues?.status).toBe('down');
    expect(elapsed).toBeLessThan(3000);
  });

  it('/health/live stays 200 and /health/db stays 200', async () => {
    expect((await request(app.getHttpServer()).get('/health/live')).status).toBe(200);
    expect((await request(app.getHttpServer()).get('/health/db').set(ops)).status).toBe(200);
  });
});
