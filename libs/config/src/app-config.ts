import type { LogLevel, NodeEnv } from './env.schema';

/** The validated, typed, namespaced configuration. Inject `AppConfig` (it is also the DI token). */
export class AppConfig {
  readonly env!: NodeEnv;
  /** Loud boot warnings (development only), e.g. the development secrets in use. Logged once by TbConfigModule. */
  readonly warnings!: readonly string[];
  readonly app!: {
    readonly host: string;
    readonly hyperrsiPort: number;
    readonly gridPort: number;
    readonly workerPort: number;
    readonly corsOrigins: readonly string[];
    readonly shutdownTimeoutMs: number;
    readonly healthTimeoutMs: number;
    /** Bearer token for /metrics and the detailed health endpoints; unset = those answer 404 on the API ports. */
    readonly metricsToken?: string;
  };
  readonly log!: { readonly level: LogLevel };
  readonly database!: {
    readonly url: string;
    readonly poolSize: number;
    readonly poolTimeoutMs: number;
    readonly migrateOnBoot: boolean;
    readonly txMaxAttempts: number;
    readonly txRetryBaseMs: number;
    readonly logQueries: boolean;
  };
  readonly redis!: { readonly url: string; readonly keyPrefix: string };
  readonly security!: {
    /** id -> 32-byte key; `activeKeyId` encrypts, all decrypt. */
    readonly encryptionKeys: ReadonlyMap<string, Buffer>;
    readonly activeKeyId: string;
    readonly jwtSecret: string;
    readonly jwtAccessTtlS: number;
    readonly jwtRefreshTtlS: number;
    readonly throttleLoginPerMin: number;
    readonly throttleOrdersPerMin: number;
  };
  readonly telegram!: { readonly botToken?: string; readonly apiRoot?: string; readonly pollLeaseMs: number };
  readonly jobs!: { readonly concurrency: number; readonly retentionS: number };
  readonly backtest!: { readonly syncMaxCandles: number };
  readonly exchange!: {
    readonly apiUrls: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly timeoutMs: number;
    readonly rateLimitMs?: number;
  };
  readonly oms!: {
    readonly pendingGraceMs: number;
    readonly unknownOrderPolicy: 'resend' | 'reject';
    readonly reconcileIntervalMs: number;
    readonly maxSendAttempts: number;
  };
  /** live candle feed timing (ms) and backfill bound (candles) */
  readonly feed!: {
    readonly buildDelayMs: number;
    readonly retryMs: number;
    readonly maxWaitMs: number;
    readonly backfillCandles: number;
  };
  /** bot runtime */
  readonly bots!: {
    /** orders decided on a candle that closed longer ago are not sent (journaled as expired) */
    readonly maxCandleAgeMs: number;
    /** how long one process holds a replay bot (renewed while it drives) */
    readonly replayLeaseMs: number;
  };
}
