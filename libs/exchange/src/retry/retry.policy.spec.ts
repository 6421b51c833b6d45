import { describe, expect, it } from 'vitest';
import { ExchangeUnavailableError, InsufficientFundsError, InvalidOrderError, RateLimitedError } from '../exchange.errors';
import { backoffDelay, withRetry, type RetryOptions } from './retry.policy';

const OPTS: RetryOptions = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 5_000 };

describe('backoffDelay (equal jitter)', () => {
  it('doubles from the base, capped, between d/2 and d', () => {
    // d = 100, 200, 300 (cap), 300
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, OPTS, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, OPTS, () => 0.999999))).toEqual([100, 200, 300, 300]);
    expect(backoffDelay(2, OPTS, () => 0.5)).toBe(150); // 100 + 0.5 × 100
  });

  it('uses Retry-After as a floor', () => {
    expect(backoffDelay(1, OPTS, () => 0, 2_000)).toBe(2_000);
    expect(backoffDelay(3, OPTS, () => 1, 10)).toBe(300);
  });
});

describe('withRetry', () => {
  function recorder(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
    const sleeps: number[] = [];
    return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
  }

  it('retries retryable errors with growing delays, then succeeds', async () => {
    const r = recorder();
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new ExchangeUnavailableError('timeout');
        return 'ok';
      },
      OPTS,
      { sleep: r.sleep, random: () => 0 },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(r.sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const r = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new ExchangeUnavailableError(`down ${calls}`);
        },
        OPTS,
        { sleep: r.sleep, random: () => 0 },
      ),
    ).rejects.toThrow('down 4');
    expect(calls).toBe(4);
    expect(r.sleeps).toHaveLength(3);
  });

  it('giveUp chooses the error thrown when the attempts run out (not on a non-retryable error)', async () => {
    const r = recorder();
    const outcome = new Error('outcome unknown');
    await expect(
      withRetry(async () => Promise.reject(new ExchangeUnavailableError('down')), OPTS, { sleep: r.sleep, random: () => 0, giveUp: () => outcome }),
    ).rejects.toBe(outcome);
    const bad = new InvalidOrderError('bad');
    await expect(withRetry(async () => Promise.reject(bad), OPTS, { sleep: r.sleep, giveUp: () => outcome })).rejects.toBe(bad);
  });

  it.each([
    ['InsufficientFunds', new InsufficientFundsError('no money')],
    ['InvalidOrder', new InvalidOrderError('bad')],
    ['a plain Error', new Error('bug')],
  ])('never retries %s', async (_name, error) => {
    const r = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw error;
        },
        OPTS,
        { sleep: r.sleep },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(r.sleeps).toEqual([]);
  });

  it('honours Retry-After, and throws at once when it is longer than maxRetryAfterMs', async () => {
    const r = recorder();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw new RateLimitedError('429', 1_500);
        return calls;
      },
      OPTS,
      { sleep: r.sleep, random: () => 0 },
    );
    expect(r.sleeps).toEqual([1_500]);

    const ban = new RateLimitedError('418 banned', 3_600_000);
    let banCalls = 0;
    await expect(
      withRetry(
        async () => {
          banCalls++;
          throw ban;
        },
        OPTS,
        { sleep: r.sleep },
      ),
    ).rejects.toBe(ban);
    expect(banCalls).toBe(1);
  });
});
