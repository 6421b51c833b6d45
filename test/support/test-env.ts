import { inject } from 'vitest';

/**
 * The test file's own Redis key prefix under the run's: each file runs in a process of its own, and a worker started
 * by one file must never take another file's jobs (BullMQ queues live under the prefix) — a replay bot driven by
 * another file's worker, with that file's settings, diverges. Short (the prefix is limited to 32 characters).
 */
const FILE_PREFIX = `${inject('redisPrefix')}:${(process.pid % 46_656).toString(36)}`;

/**
 * The environment an app gets in tests: the run's own database, the file's own Redis prefix, debug logs, fast retries.
 * Pass it to `XModule.forRoot({ env })` or to a child process; process.env is never read by the app under test.
 */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
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
