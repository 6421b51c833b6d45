import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AppConfig } from './app-config';
import { EnvironmentVariables, KNOWN_VARIABLES } from './env.schema';
import { loadEnvFile } from './env-file';

export interface ConfigIssue {
  readonly variable: string;
  readonly rule: string;
}

/** Boot stops with this error; its message names each variable and the rule it broke (never the value). */
export class ConfigValidationError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.variable}: ${i.rule}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Development-only fallbacks, used when NODE_ENV is not production. Production must set these explicitly. */
const DEV_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tradingboost',
  REDIS_URL: 'redis://127.0.0.1:6379',
  // 32 zero-ish bytes, obviously not secret: only ever used outside production.
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  JWT_SECRET: 'development-only-jwt-secret-change-me-0123456789',
} as const;

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function flatten(errors: ValidationError[]): ConfigIssue[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((rule) => ({ variable: e.property, rule })),
  );
}

/**
 * Validate the environment once and build the typed configuration.
 * Pure: pass the environment explicitly (tests do); the apps pass process.env (+ .env file).
 */
export function loadConfig(rawEnv: Record<string, string | undefined>): AppConfig {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawEnv)) if (v !== undefined && v !== '') env[k] = v; // empty = unset

  const issues: ConfigIssue[] = [];
  const known = new Set(KNOWN_VARIABLES);
  for (const name of Object.keys(env)) {
    if (known.has(name)) continue;
    if (name.startsWith('TB_')) {
      issues.push({ variable: name, rule: 'unknown variable with the TB_ prefix (typo?); see .env.example for the supported names' });
    } else if (name.length >= 8) {
      const near = KNOWN_VARIABLES.find((k) => levenshtein(name, k) === 1);
      if (near) issues.push({ variable: name, rule: `unknown variable, did you mean ${near}?` });
    }
  }

  const parsed = plainToInstance(EnvironmentVariables, env, { enableImplicitConversion: false, exposeDefaultValues: true });
  issues.push(...flatten(validateSync(parsed, { skipMissingProperties: false, forbidUnknownValues: false })));

  const production = parsed.NODE_ENV === 'production';
  if (production) {
    for (const required of ['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEY', 'JWT_SECRET'] as const) {
      if (!env[required]) issues.push({ variable: required, rule: 'is required when NODE_ENV=production' });
    }
  }
  // The development key and secret are in the source: anyone can decrypt or sign with them.
  const devKey = (parsed.ENCRYPTION_KEY ?? DEV_DEFAULTS.ENCRYPTION_KEY) === DEV_DEFAULTS.ENCRYPTION_KEY;
  const devJwt = (parsed.JWT_SECRET ?? DEV_DEFAULTS.JWT_SECRET) === DEV_DEFAULTS.JWT_SECRET;
  if (production && env.ENCRYPTION_KEY && devKey) {
    issues.push({ variable: 'ENCRYPTION_KEY', rule: 'is the development key published in the source; generate one with `openssl rand -base64 32`' });
  }
  if (production && env.JWT_SECRET && devJwt) {
    issues.push({ variable: 'JWT_SECRET', rule: 'is the development secret published in the source; generate one with `openssl rand -base64 48`' });
  }
  const warnings: string[] = [];
  if (parsed.NODE_ENV === 'development') {
    if (devKey) warnings.push('ENCRYPTION_KEY is the development key published in the source: stored exchange secrets are NOT protected. Never use this database for real keys.');
    if (devJwt) warnings.push('JWT_SECRET is the development secret published in the source: anyone can forge a login token. Never expose this process.');
  }
  if (production && parsed.CORS_ORIGINS.trim() === '*') {
    issues.push({ variable: 'CORS_ORIGINS', rule: '"*" is not allowed when NODE_ENV=production' });
  }
  let apiUrls: Record<string, Record<string, string>> = {};
  if (parsed.EXCHANGE_API_URLS) {
    try {
      const v = JSON.parse(parsed.EXCHANGE_API_URLS) as unknown;
      const ok =
        typeof v === 'object' && v !== null && !Array.isArray(v) &&
        Object.values(v).every((m) => typeof m === 'object' && m !== null && Object.values(m).every((u) => typeof u === 'string' && /^https?:\/\//.test(u)));
      if (!ok) throw new Error('shape');
      apiUrls = v as Record<string, Record<string, string>>;
    } catch {
      issues.push({ variable: 'EXCHANGE_API_URLS', rule: 'must be a JSON object {exchangeId: {urlKey: "http(s)://..."}}' });
    }
  }
  if (issues.length > 0) throw new ConfigValidationError(issues);

  const keys = new Map<string, Buffer>();
  keys.set(parsed.ENCRYPTION_KEY_ID, Buffer.from(parsed.ENCRYPTION_KEY ?? DEV_DEFAULTS.ENCRYPTION_KEY, 'base64'));
  for (const pair of (parsed.ENCRYPTION_KEYS_PREVIOUS ?? '').split(',').filter(Boolean)) {
    const [id, key] = pair.split(':');
    if (!keys.has(id)) keys.set(id, Buffer.from(key, 'base64'));
  }

  // Production never logs at debug/trace: those levels may include payloads.
  const level = production && (parsed.LOG_LEVEL === 'debug' || parsed.LOG_LEVEL === 'trace') ? 'info' : parsed.LOG_LEVEL;

  const config: AppConfig = {
    env: parsed.NODE_ENV,
    warnings,
    app: {
      host: parsed.HOST,
      hyperrsiPort: parsed.HYPERRSI_PORT,
      gridPort: parsed.GRID_PORT,
      workerPort: parsed.WORKER_PORT,
      corsOrigins: parsed.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
      shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
      healthTimeoutMs: parsed.HEALTH_TIMEOUT_MS,
      metricsToken: parsed.METRICS_TOKEN,
    },
    log: { level },
    database: {
      url: parsed.DATABASE_URL ?? DEV_DEFAULTS.DATABASE_URL,
      poolSize: parsed.DB_POOL_SIZE,
      poolTimeoutMs: parsed.DB_POOL_TIMEOUT_MS,
      migrateOnBoot: parsed.DB_MIGRATE_ON_BOOT,
      txMaxAttempts: parsed.DB_TX_MAX_ATTEMPTS,
      txRetryBaseMs: parsed.DB_TX_RETRY_BASE_MS,
      logQueries: production ? false : parsed.DB_LOG_QUERIES,
    },
    redis: { url: parsed.REDIS_URL ?? DEV_DEFAULTS.REDIS_URL, keyPrefix: parsed.REDIS_KEY_PREFIX },
    security: {
      encryptionKeys: keys,
      activeKeyId: parsed.ENCRYPTION_KEY_ID,
      jwtSecret: parsed.JWT_SECRET ?? DEV_DEFAULTS.JWT_SECRET,
      jwtAccessTtlS: parsed.JWT_ACCESS_TTL_S,
      jwtRefreshTtlS: parsed.JWT_REFRESH_TTL_S,
      throttleLoginPerMin: parsed.THROTTLE_LOGIN_PER_MIN,
      throttleOrdersPerMin: parsed.THROTTLE_ORDERS_PER_MIN,
    },
    telegram: { botToken: parsed.TELEGRAM_BOT_TOKEN, apiRoot: parsed.TELEGRAM_API_ROOT, pollLeaseMs: parsed.TELEGRAM_POLL_LEASE_MS },
    jobs: { concurrency: parsed.WORKER_CONCURRENCY, retentionS: parsed.JOBS_RETENTION_S },
    backtest: { syncMaxCandles: parsed.BACKTEST_SYNC_MAX_CANDLES },
    exchange: { apiUrls, timeoutMs: parsed.EXCHANGE_TIMEOUT_MS, rateLimitMs: parsed.EXCHANGE_RATE_LIMIT_MS },
    oms: {
      pendingGraceMs: parsed.OMS_PENDING_GRACE_MS,
      unknownOrderPolicy: parsed.OMS_UNKNOWN_ORDER_POLICY,
      reconcileIntervalMs: parsed.OMS_RECONCILE_INTERVAL_MS,
      maxSendAttempts: parsed.OMS_MAX_SEND_ATTEMPTS,
    },
    feed: {
      buildDelayMs: parsed.FEED_BUILD_DELAY_MS,
      retryMs: parsed.FEED_RETRY_MS,
      maxWaitMs: parsed.FEED_MAX_WAIT_MS,
      backfillCandles: parsed.FEED_BACKFILL_CANDLES,
    },
    bots: {
      maxCandleAgeMs: parsed.BOTS_MAX_CANDLE_AGE_MS,
      replayLeaseMs: parsed.BOTS_REPLAY_LEASE_MS,
    },
  };
  return Object.setPrototypeOf(config, AppConfig.prototype) as AppConfig;
}

/**
 * The process environment, for the entry points only (apps, CLI, ormconfig), with `.env` loaded into it first (the
 * process environment wins over the file; see loadEnvFile). Nothing else reads process.env.
 */
export function processEnv(): Record<string, string | undefined> {
  loadEnvFile();
  return process.env;
}
