import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/**
 * Each int/e2e file runs against a database and a Redis key prefix of its own, so that nothing one file starts can
 * act on another file's rows: a worker kicks every running replay bot it finds in its database and sweeps every
 * unresolved order; with a shared database, one file's worker drove another file's bots with its own settings and
 * its own (Redis-held) leases. The database is a copy of the run's migrated one (`CREATE DATABASE … TEMPLATE`, ~0.1 s),
 * made before the file's tests and dropped after them by test/setup/int.setup.ts. The id is drawn when this module
 * is loaded, which happens once per test file (the setup file and the test file share the module).
 */
const FILE_ID = randomBytes(4).readUInt32BE(0).toString(36).padStart(5, '0').slice(-5);

/** The file's Redis prefix under the run's (BullMQ queues live under it). Short: the prefix is limited to 32 characters. */
const FILE_PREFIX = `${inject('redisPrefix')}:${FILE_ID}`;

const runDatabaseUrl = (): URL => new URL(inject('databaseUrl'));

/** The run's migrated database: the template every file's database is copied from (nobody connects to it). */
export function runDatabaseName(): string {
  return runDatabaseUrl().pathname.slice(1);
}

/** The name of this file's own database. */
export function fileDatabaseName(): string {
  return `${runDatabaseName()}_${FILE_ID}`;
}

/** The URL of this file's own database. */
export function fileDatabaseUrl(): string {
  const u = runDatabaseUrl();
  u.pathname = `/${fileDatabaseName()}`;
  return u.toString();
}

/**
 * The environment an app gets in tests: the file's own database and Redis prefix, debug logs, fast retries.
 * Pass it to `XModule.forRoot({ env })` or to a child process; process.env is never read by the app under test.
 */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: fileDatabaseUrl(),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: FILE_PREFIX,
    LOG_LEVEL: 'debug', // captured (never printed) and checked for secrets: see test/setup/int.setup.ts
    DB_POOL_SIZE: '5',
    DB_TX_RETRY_BASE_MS: '20',
    HEALTH_TIMEOUT_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  };
}
