import { ExchangeError, RateLimitedError } from '../exchange.errors';

export interface RetryOptions {
  /** total attempts including the first (default 5) */
  readonly maxAttempts: number;
  /** delay before the 2nd attempt; doubles each time (default 250 ms) */
  readonly baseDelayMs: number;
  /** cap of a single computed delay (default 8 s) */
  readonly maxDelayMs: number;
  /**
   * A Retry-After longer than this is not waited for in-line: the RateLimitedError is thrown at once so the
   * caller (a job) can reschedule instead of blocking a worker (default 30 s; a Binance 418 ban can be hours).
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

export interface RetryHooks {
  readonly sleep?: (ms: number) => Promise<void>;
  /** uniform [0,1) source for jitter (injectable for tests) */
  readonly random?: () => number;
  /** called before each wait: attempt number that failed (1-based), the error, the delay chosen */
  readonly onRetry?: (attempt: number, error: ExchangeError, delayMs: number) => void;
  /** The error to throw when the attempts run out (default: the last error), e.g. "outcome unknown" for a lost order. */
  readonly giveUp?: (error: ExchangeError, attempt: number) => Error;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between d/2 and d where
 * d = min(maxDelay, base × 2^(n-1)) — never zero (unlike full jitter), never synchronised across bots.
 * A Retry-After from the exchange is a floor.
 */
export function backoffDelay(retryIndex: number, opts: RetryOptions, random: () => number, retryAfterMs: number | null = null): number {
  const d = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retryIndex - 1));
  const jittered = d / 2 + random() * (d / 2);
  return Math.round(retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn` and retry it only while it throws a retryable ExchangeError. Anything else (including
 * non-retryable ExchangeErrors such as InsufficientFunds / InvalidOrder / Authentication) is thrown at once.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = DEFAULT_RETRY_OPTIONS, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? defaultSleep;
  const random = hooks.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof ExchangeError) || !e.retryable) throw e;
      if (attempt >= opts.maxAttempts) throw hooks.giveUp ? hooks.giveUp(e, attempt) : e;
      const retryAfter = e instanceof RateLimitedError ? e.retryAfterMs : null;
      if (retryAfter !== null && retryAfter > opts.maxRetryAfterMs) throw e;
      const delay = backoffDelay(attempt, opts, random, retryAfter);
      hooks.onRetry?.(attempt, e, delay);
      await sleep(delay);
    }
  }
}
