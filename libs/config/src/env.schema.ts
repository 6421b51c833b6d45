import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value; // left as a string: @IsBoolean reports it
};

/**
 * Every environment variable the platform reads. Documented one by one in .env.example (same order).
 * Validated once at boot: a bad value stops the process with a message naming the variable and the rule.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @ValidateIf((o: EnvironmentVariables) => o.DATABASE_URL !== undefined)
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true }, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @ValidateIf((o: EnvironmentVariables) => o.REDIS_URL !== undefined)
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true }, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  HYPERRSI_PORT = 8000;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  GRID_PORT = 8012;

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  WORKER_PORT = 8020;

  @IsString()
  HOST = '0.0.0.0';

  @Type(() => Number) @IsInt() @Min(1) @Max(100)
  DB_POOL_SIZE = 10;

  @Type(() => Number) @IsInt() @Min(100) @Max(120_000)
  DB_POOL_TIMEOUT_MS = 5000;

  @Transform(toBool) @IsBoolean()
  DB_MIGRATE_ON_BOOT = false;

  @Type(() => Number) @IsInt() @Min(1) @Max(10)
  DB_TX_MAX_ATTEMPTS = 4;

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  DB_TX_RETRY_BASE_MS = 200;

  @Transform(toBool) @IsBoolean()
  DB_LOG_QUERIES = false;

  @IsString() @Matches(/^[A-Za-z0-9:_-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1-32 chars of [A-Za-z0-9:_-]' })
  REDIS_KEY_PREFIX = 'tb';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @ValidateIf((o: EnvironmentVariables) => o.ENCRYPTION_KEY !== undefined)
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'ENCRYPTION_KEY must be 32 bytes encoded as base64 (44 characters)' })
  ENCRYPTION_KEY?: string;

  /** Older keys still accepted for decryption during rotation: "id1:base64,id2:base64". */
  @IsOptional() @Matches(/^([A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]{43}=)(,[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'ENCRYPTION_KEYS_PREVIOUS must be a comma-separated list of id:base64key',
  })
  ENCRYPTION_KEYS_PREVIOUS?: string;

  @IsString() @Matches(/^[A-Za-z0-9_-]{1,16}$/, { message: 'ENCRYPTION_KEY_ID must be 1-16 chars of [A-Za-z0-9_-]' })
  ENCRYPTION_KEY_ID = 'k1';

  @ValidateIf((o: EnvironmentVariables) => o.JWT_SECRET !== undefined)
  @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Type(() => Number) @IsInt() @Min(60) @Max(86_400)
  JWT_ACCESS_TTL_S = 900;

  @Type(() => Number) @IsInt() @Min(300) @Max(90 * 86_400)
  JWT_REFRESH_TTL_S = 14 * 86_400;

  @IsOptional() @Matches(/^\d{5,}:[A-Za-z0-9_-]{20,}$/, { message: 'TELEGRAM_BOT_TOKEN must look like 123456:ABC-token' })
  TELEGRAM_BOT_TOKEN?: string;

  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT?: string;

  /** Telegram: the poll lease (one poller per token); a killed poller's successor takes over after it. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  TELEGRAM_POLL_LEASE_MS = 15_000;

  /** Comma-separated origins, or "*" (development only). Empty = CORS off. */
  @IsString()
  CORS_ORIGINS = '';

  @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 15_000;

  @Type(() => Number) @IsInt() @Min(100) @Max(10_000)
  HEALTH_TIMEOUT_MS = 1500;

  /**
   * Bearer token that opens /metrics, /health, /health/db and /health/redis on the API ports
   * (`Authorization: Bearer <token>`). Unset: those answer 404 there. /health/live and /health/ready stay public.
   */
  @ValidateIf((o: EnvironmentVariables) => o.METRICS_TOKEN !== undefined)
  @IsString() @Matches(/^[A-Za-z0-9._~+/=-]{24,256}$/, { message: 'METRICS_TOKEN must be 24-256 chars of [A-Za-z0-9._~+/=-]' })
  METRICS_TOKEN?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(64)
  WORKER_CONCURRENCY = 2;

  @Type(() => Number) @IsInt() @Min(60) @Max(86_400 * 30)
  JOBS_RETENTION_S = 7 * 86_400;

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  THROTTLE_LOGIN_PER_MIN = 10;

  @Type(() => Number) @IsInt() @Min(1) @Max(100_000)
  THROTTLE_ORDERS_PER_MIN = 120;

  @Type(() => Number) @IsInt() @Min(1) @Max(50_000_000)
  BACKTEST_SYNC_MAX_CANDLES = 50_000;

  /**
   * Optional JSON map of ccxt `urls.api` overrides per exchange id, e.g. a regional endpoint or a proxy:
   * {"binance":{"public":"https://api1.binance.com/api/v3","private":"https://api1.binance.com/api/v3"}}.
   */
  @IsOptional() @IsString()
  EXCHANGE_API_URLS?: string;

  /** Per-request exchange timeout (ms). */
  @Type(() => Number) @IsInt() @Min(1000) @Max(120_000)
  EXCHANGE_TIMEOUT_MS = 10_000;

  /** Override ccxt's request spacing (ms). Leave unset in production: ccxt's per-exchange value is right. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000)
  EXCHANGE_RATE_LIMIT_MS?: number;

  /**
   * Reconciler: how long after its last send attempt a PENDING order unknown to the exchange waits before the resend
   * policy applies (ms). Must exceed the longest a single createOrder can take inside the adapter (its own retries
   * and lookups, ~1 min) and the exchange's recvWindow, so a resend can never race the first send.
   */
  @Type(() => Number) @IsInt() @Min(1000) @Max(3_600_000)
  OMS_PENDING_GRACE_MS = 120_000;

  /** What the reconciler does with a PENDING order the exchange never received: resend it or reject it. */
  @IsIn(['resend', 'reject'])
  OMS_UNKNOWN_ORDER_POLICY: 'resend' | 'reject' = 'resend';

  /** Reconciler period (ms). */
  @Type(() => Number) @IsInt() @Min(1000) @Max(3_600_000)
  OMS_RECONCILE_INTERVAL_MS = 15_000;

  /**
   * Most send attempts of one order (first send + resends) that fail with a retryable exchange error (unreachable,
   * rate limited, paper price feed without a price). The attempt that reaches it ends the order REJECTED with the
   * last error as its reason. An order whose outcome is unknown (maybe received) is still looked up, never resent.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(100)
  OMS_MAX_SEND_ATTEMPTS = 5;

  /** Live candle feed: poll this long after each candle close (ms), exchanges build the candle late. */
  @Type(() => Number) @IsInt() @Min(0) @Max(600_000)
  FEED_BUILD_DELAY_MS = 2000;

  /** Live candle feed: wait between polls while the expected closed candle has not appeared (ms). */
  @Type(() => Number) @IsInt() @Min(10) @Max(600_000)
  FEED_RETRY_MS = 1000;

  /** Live candle feed: give up on a missing candle this long after its close (ms); the watchdog warns, the next poll catches up. */
  @Type(() => Number) @IsInt() @Min(0) @Max(3_600_000)
  FEED_MAX_WAIT_MS = 60_000;

  /** Live candle feed: most closed candles fetched in one poll (first poll of a series, or after a gap). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000)
  FEED_BACKFILL_CANDLES = 1000;

  /** Bots: orders decided on a candle that closed longer ago than this are not sent after downtime (ms); the strategy is told they expired. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(86_400_000)
  BOTS_MAX_CANDLE_AGE_MS = 300_000;

  /** Bots: how long one worker holds a replay bot (renewed while it drives it; a killed worker's bot moves on after it). */
  @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  BOTS_REPLAY_LEASE_MS = 15_000;
}

/** Names the platform reads; anything else starting with TB_ is a typo and is rejected. */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(new EnvironmentVariables()).concat([
  'DATABASE_URL',
  'REDIS_URL',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEYS_PREVIOUS',
  'JWT_SECRET',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_API_ROOT',
  'EXCHANGE_API_URLS',
  'EXCHANGE_RATE_LIMIT_MS',
  'METRICS_TOKEN',
]);
