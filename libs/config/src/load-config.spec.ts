import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig } from './load-config';

const KEY = Buffer.alloc(32, 1).toString('base64');
const PROD = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db:5432/tb',
  REDIS_URL: 'redis://cache:6379',
  ENCRYPTION_KEY: KEY,
  JWT_SECRET: 'x'.repeat(32),
};

function issuesOf(env: Record<string, string>): Array<{ variable: string; rule: string }> {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return [...(e as ConfigValidationError).issues];
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('accepts an empty environment outside production with documented defaults', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.app.hyperrsiPort).toBe(8000);
    expect(c.app.gridPort).toBe(8012);
    expect(c.app.workerPort).toBe(8020);
    expect(c.database.poolSize).toBe(10);
    expect(c.redis.keyPrefix).toBe('tb');
    expect(c.database.txMaxAttempts).toBe(4);
  });

  it('types and namespaces values', () => {
    const c = loadConfig({ DB_POOL_SIZE: '25', DB_MIGRATE_ON_BOOT: 'true', HYPERRSI_PORT: '9000', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(c.database.poolSize).toBe(25);
    expect(c.database.migrateOnBoot).toBe(true);
    expect(c.app.hyperrsiPort).toBe(9000);
    expect(c.app.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    ['DB_POOL_SIZE', '0', /must not be less than 1/],
    ['DB_POOL_SIZE', '101', /must not be greater than 100/],
    ['DB_POOL_SIZE', 'ten', /integer/],
    ['HYPERRSI_PORT', '70000', /must not be greater than 65535/],
    ['LOG_LEVEL', 'loud', /must be one of/],
    ['DATABASE_URL', 'mysql://x/y', /postgres:\/\/ URL/],
    ['REDIS_URL', 'http://x', /redis:\/\/ URL/],
    ['ENCRYPTION_KEY', 'c2hvcnQ=', /32 bytes/],
    ['JWT_SECRET', 'short', /at least 32 characters/],
    ['DB_MIGRATE_ON_BOOT', 'maybe', /boolean/],
  ])('rejects %s=%s naming the variable and the rule', (name, value, rule) => {
    const issues = issuesOf({ [name]: value });
    const mine = issues.filter((i) => i.variable === name);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((i) => i.rule).join(' ')).toMatch(rule);
  });

  it('error message names each variable and rule but never echoes the value', () => {
    try {
      loadConfig({ JWT_SECRET: 'tiny-secret-value', DB_POOL_SIZE: '0' });
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('JWT_SECRET');
      expect(msg).toContain('DB_POOL_SIZE');
      expect(msg).not.toContain('tiny-secret-value');
    }
  });

  it('rejects unknown TB_ variables (typo guard) and near-misses of documented names', () => {
    const issues = issuesOf({ TB_DATABSE: 'x', DATABSE_URL: 'postgres://x/y' });
    expect(issues.find((i) => i.variable === 'TB_DATABSE')?.rule).toMatch(/unknown variable with the TB_ prefix/);
    expect(issues.find((i) => i.variable === 'DATABSE_URL')?.rule).toMatch(/did you mean DATABASE_URL/);
  });

  it('ignores unrelated variables of the environment', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', HOSTNAME: 'vm', TERM: 'xterm' })).not.toThrow();
  });

  it('production refuses to start without DATABASE_URL, REDIS_URL, ENCRYPTION_KEY and JWT_SECRET', () => {
    const issues = issuesOf({ NODE_ENV: 'production' });
    for (const v of ['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'JWT_SECRET']) {
      expect(issues.find((i) => i.variable === v)?.rule).toBe('is required when NODE_ENV=production');
    }
  });

  it('production accepts a complete environment and forces debug logging off', () => {
    const c = loadConfig({ ...PROD, LOG_LEVEL: 'debug', DB_LOG_QUERIES: 'true' });
    expect(c.env).toBe('production');
    expect(c.log.level).toBe('info');
    expect(c.database.logQueries).toBe(false);
    expect(c.security.encryptionKeys.get('k1')?.length).toBe(32);
  });

  it('production refuses the development encryption key and JWT secret even when set explicitly', () => {
    const dev = loadConfig({ NODE_ENV: 'test' });
    const devKey = dev.security.encryptionKeys.get('k1')!.toString('base64');
    const issues = issuesOf({ ...PROD, ENCRYPTION_KEY: devKey, JWT_SECRET: dev.security.jwtSecret });
    expect(issues.find((i) => i.variable === 'ENCRYPTION_KEY')?.rule).toMatch(/development key/);
    expect(issues.find((i) => i.variable === 'JWT_SECRET')?.rule).toMatch(/development secret/);
    expect(() => loadConfig(PROD)).not.toThrow();
  });

  it('development on the development secrets carries loud warnings; test and real secrets carry none', () => {
    expect(loadConfig({}).warnings).toEqual([expect.stringMatching(/^ENCRYPTION_KEY is the development key/), expect.stringMatching(/^JWT_SECRET is the development secret/)]);
    expect(loadConfig({ NODE_ENV: 'test' }).warnings).toEqual([]);
    expect(loadConfig({ ENCRYPTION_KEY: KEY, JWT_SECRET: 'y'.repeat(40) }).warnings).toEqual([]);
  });

  it('METRICS_TOKEN is optional, and validated when set', () => {
    expect(loadConfig({}).app.metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(24) }).app.metricsToken).toBe('a'.repeat(24));
    expect(issuesOf({ METRICS_TOKEN: 'short' }).map((i) => i.variable)).toEqual(['METRICS_TOKEN']);
  });

  it('production rejects CORS "*"', () => {
    expect(issuesOf({ ...PROD, CORS_ORIGINS: '*' }).map((i) => i.variable)).toContain('CORS_ORIGINS');
  });

  it('keeps previous encryption keys for rotation', () => {
    const old = Buffer.alloc(32, 9).toString('base64');
    const c = loadConfig({ ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_KEYS_PREVIOUS: `k1:${old}` });
    expect(c.security.activeKeyId).toBe('k2');
    expect(c.security.encryptionKeys.get('k1')).toEqual(Buffer.alloc(32, 9));
    expect(c.security.encryptionKeys.get('k2')).toEqual(Buffer.alloc(32, 1));
  });

  it('treats empty values (as copied from .env.example) as unset', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: '', JWT_SECRET: '', TELEGRAM_BOT_TOKEN: '' })).not.toThrow();
  });
});
