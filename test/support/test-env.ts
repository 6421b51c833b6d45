import { inject } from 'vitest';

/**
 * The environment an app gets in tests: the run's own database and Redis prefix, debug logs, fast retries.
 * Pass it to `XModule.forRoot({ env })` or to a child process; process.env is never read by the app under test.
 */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: inject('redisPrefix'),
    LOG_LEVEL: 'debug', // captured (never printed) and checked for secrets: see test/setup/int.setup.ts
    DB_POOL_SIZE: '5',
    DB_TX_RETRY_BASE_MS: '20',
    HEALTH_TIMEOUT_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...overrides,
  };
}
