import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, freePort, runScript, waitForHttp } from './support/processes';
import { testEnv } from './support/test-env';

const APPS = [
  { name: 'hyperrsi-api', portVar: 'HYPERRSI_PORT', docs: true },
  { name: 'grid-api', portVar: 'GRID_PORT', docs: true },
  { name: 'worker', portVar: 'WORKER_PORT', docs: false },
] as const;

describe('the three apps from the built output (npm run start:<app>)', () => {
  it('the build exists (npm test builds first)', () => {
    for (const app of APPS) expect(existsSync(resolve(ROOT, `dist/apps/${app.name}/src/main.js`))).toBe(true);
  });

  it.each(APPS)('$name boots, serves health (and docs), logs request ids, and exits 0 on SIGTERM', async (app) => {
    const port = await freePort();
    const proc = runScript(`start:${app.name}`, testEnv({ [app.portVar]: String(port), LOG_LEVEL: 'info', HOST: '127.0.0.1' }));
    try {
      const live = await waitForHttp(`http://127.0.0.1:${port}/health/live`, 30_000);
      expect(live.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      if (app.docs) {
        const spec = await fetch(`http://127.0.0.1:${port}/docs-json`);
        expect(spec.status).toBe(200);
        expect(((await spec.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      }
      const probe = await fetch(`http://127.0.0.1:${port}/nope`, { headers: { 'X-Request-ID': `boot-${app.name}` } });
      expect(probe.status).toBe(404);
      expect(probe.headers.get('x-request-id')).toBe(`boot-${app.name}`);
      await new Promise((r) => setTimeout(r, 100));
      const line = proc.output().split('\n').find((l) => l.includes(`"request_id":"boot-${app.name}"`));
      expect(line).toBeDefined();
      expect(JSON.parse(line!).msg).toBe('request completed');
    } finally {
      proc.child.kill('SIGTERM');
    }
    const { code } = await proc.exited;
    expect(code, proc.output().slice(-2000)).toBe(0);
    expect(proc.output()).toContain('SIGTERM received');
  });

  it('a bad configuration value stops boot with a message naming the variable and rule', async () => {
    const proc = runScript('start:hyperrsi-api', testEnv({ DB_POOL_SIZE: '0', HYPERRSI_PORT: String(await freePort()) }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/DB_POOL_SIZE: .*must not be less than 1/);
  });

  it('NODE_ENV=production on the development encryption key and JWT secret refuses to start', async () => {
    const proc = runScript('start:hyperrsi-api', {
      ...testEnv({ NODE_ENV: 'production', HYPERRSI_PORT: String(await freePort()) }),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), // the development key of libs/config
      JWT_SECRET: 'development-only-jwt-secret-change-me-0123456789',
    });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toContain('ENCRYPTION_KEY: is the development key published in the source');
    expect(proc.output()).toContain('JWT_SECRET: is the development secret published in the source');
  });

  it('NODE_ENV=production without secrets refuses to start', async () => {
    const proc = runScript('start:grid-api', { NODE_ENV: 'production', GRID_PORT: String(await freePort()) });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    for (const v of ['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'JWT_SECRET']) expect(proc.output()).toContain(`${v}: is required when NODE_ENV=production`);
  });
});
