import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { LogCapture, findSecrets, registerSecret, suiteLogs } from './support/log-capture';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * A database write that fails must not print the values it was writing: TypeORM's QueryFailedError carries the
 * INSERT `parameters` (the encrypted exchange key, secret and passphrase) and PostgreSQL's `detail` echoes the
 * failing row. Reproduced with a real constraint violation on exchange_accounts, logs captured at debug level.
 */
describe('secrets never reach the logs, even when an INSERT fails', () => {
  let app: HttpApp;
  let ds: DataSource;
  let user: TestUser;
  const logs = new LogCapture();
  const tag = randomBytes(4).toString('hex');
  const constraint = `tb_test_refuse_${tag}`;

  beforeAll(async () => {
    app = await createHttpTestApp({ module: class Root {}, imports: [logs.module(), HyperrsiApiModule.forRoot({ env: testEnv({ LOG_LEVEL: 'debug' }) })] });
    ds = app.get(DataSource);
    user = await createUserAndLogin(app);
    // only rows labelled with this run's tag are refused, so concurrent test files are unaffected
    await ds.query(`ALTER TABLE exchange_accounts ADD CONSTRAINT ${constraint} CHECK (label <> 'explode-${tag}') NOT VALID`);
  });

  afterAll(async () => {
    await ds?.query(`ALTER TABLE exchange_accounts DROP CONSTRAINT IF EXISTS ${constraint}`);
    await app?.close();
  });

  it('a failed INSERT of an exchange account answers 500 and logs the failure without parameters, row or ciphertext', async () => {
    const apiKey = `key-${randomBytes(16).toString('hex')}`;
    const secret = `sec-${randomBytes(24).toString('hex')}`;
    const passphrase = `pass-${randomBytes(8).toString('hex')}`;
    registerSecret(apiKey, secret, passphrase);
    const res = await request(app.getHttpServer())
      .post('/api/exchange-accounts')
      .set('Authorization', bearer(user))
      .send({ exchange: 'okx', label: `explode-${tag}`, apiKey, secret, passphrase });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(res.body)).not.toMatch(/v1:|Failing row/);

    // the failure is logged, with what an operator needs (type, SQLSTATE, constraint) ...
    const failure = logs.records().find((r) => r.msg === 'request failed');
    expect(failure).toBeDefined();
    const err = failure!.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'QueryFailedError', code: '23514', constraint });
    // ... and nothing it was writing
    const text = logs.text();
    expect(text).not.toContain('Failing row');
    expect(text).not.toMatch(/"parameters"/);
    expect(findSecrets(text)).toEqual([]);
    for (const s of [apiKey, secret, passphrase]) expect(text).not.toContain(s);
  });

  it('whatever a caller logs, parameters, PostgreSQL detail and ciphertext are removed at any depth', async () => {
    const { Logger } = await import('@nestjs/common');
    const blob = 'v1:k1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB:CCCCCCCCCCCC';
    const error = Object.assign(new Error('insert failed'), { parameters: ['p-secret-value-1'], driverError: { detail: 'Failing row contains (p-secret-value-2)', code: '23505' } });
    const pgMessage = 'invalid input syntax for type bigint: "p-secret-value-4"';
    new Logger('Probe').warn({ msg: 'probe', nested: { parameters: ['p-secret-value-3'], job: { error, note: `blob ${blob}`, pg: pgMessage } } });
    await new Promise((r) => setTimeout(r, 20));
    const line = logs.lines.find((l) => l.includes('"probe"'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/p-secret-value|Failing row|v1:k1:/);
    expect(JSON.parse(line!).nested.job.error).toMatchObject({ type: 'Error', message: 'insert failed', code: '23505' });
    expect(JSON.parse(line!).nested.job.pg).toBe('invalid input syntax for type bigint: "[value]"');
  });
});

describe('development secrets at boot', () => {
  it('NODE_ENV=development on the development key and JWT secret logs a loud warning for each', async () => {
    // read from the suite-wide capture: with several apps in one process, Nest's static logger may write through
    // the previous app's pino instance (each real process runs one app)
    const start = suiteLogs.lines.length;
    const app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv({ NODE_ENV: 'development' }) }));
    try {
      const records = suiteLogs.lines.slice(start).map((l) => JSON.parse(l) as Record<string, unknown>);
      const warnings = records.filter((r) => r.level === 40 && String(r.msg).includes('INSECURE CONFIGURATION'));
      expect(warnings.map((w) => String(w.msg))).toEqual([expect.stringContaining('ENCRYPTION_KEY'), expect.stringContaining('JWT_SECRET')]);
    } finally {
      await app.close();
    }
  });
});
