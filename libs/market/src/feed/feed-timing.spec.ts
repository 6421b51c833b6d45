import { describe, expect, it } from 'vitest';
import type { Timeframe } from '@tb/strategies';
import { lastClosedOpenTime, nextPollAt } from './feed-timing';

// 2025-01-01T00:00:00Z, a multiple of every timeframe up to 1d
const T0 = Date.UTC(2025, 0, 1);
const M = 60_000;
const H = 60 * M;

describe('nextPollAt', () => {
  it.each([
    // [timeframe, now, buildDelayMs, expected, why]
    ['1h', T0 + 10 * M, 2000, T0 + H + 2000, 'mid-candle: the coming close plus the delay'],
    ['1h', T0, 2000, T0 + 2000, 'exactly at a close: that close, after its build delay'],
    ['1h', T0 + 1999, 2000, T0 + 2000, 'inside the build delay of a close not yet polled: still that close'],
    ['1h', T0 + 2000, 2000, T0 + H + 2000, 'at the planned poll time: the following close'],
    ['1h', T0 + 2001, 2000, T0 + H + 2000, 'just after the planned poll: the following close'],
    ['1h', T0 - 1, 0, T0, 'no delay: the next close itself'],
    ['1h', T0, 0, T0 + H, 'no delay, exactly at a close: strictly later'],
    ['5m', T0 + 7 * M, 1500, T0 + 10 * M + 1500, '5m grid'],
    ['4h', T0 + 5 * H, 2000, T0 + 8 * H + 2000, '4h grid (00, 04, 08 UTC)'],
    ['1d', T0 + 23 * H, 2000, T0 + 24 * H + 2000, 'daily close at UTC midnight'],
  ] as Array<[Timeframe, number, number, number, string]>)('%s at now=%d, delay %d -> %d (%s)', (tf, now, delay, expected) => {
    expect(nextPollAt(tf, now, delay)).toBe(expected);
  });

  it('is always strictly after now and never more than one timeframe + delay away', () => {
    for (let now = T0 - 3 * H; now < T0 + 3 * H; now += 59_999) {
      const at = nextPollAt('1h', now, 2000);
      expect(at).toBeGreaterThan(now);
      expect(at - now).toBeLessThanOrEqual(H);
      expect((at - 2000) % H).toBe(0);
    }
  });

  it('rejects a negative build delay', () => {
    expect(() => nextPollAt('1h', T0, -1)).toThrow(RangeError);
  });
});

describe('lastClosedOpenTime', () => {
  it.each([
    ['1h', T0, T0 - H, 'the candle ending exactly now is closed'],
    ['1h', T0 - 1, T0 - 2 * H, 'one ms before the close it is still forming'],
    ['1h', T0 + 30 * M, T0 - H, 'mid-candle'],
    ['15m', T0 + 16 * M, T0, '15m'],
  ] as Array<[Timeframe, number, number, string]>)('%s at %d -> %d (%s)', (tf, now, expected) => {
    expect(lastClosedOpenTime(tf, now)).toBe(expected);
  });
});
