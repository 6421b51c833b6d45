import { alignTime, timeframeMs, type Timeframe } from '@tb/strategies';

/**
 * Open time of the newest candle that has closed at `now` (its open + timeframe <= now). A candle closing
 * exactly at `now` counts as closed.
 */
export function lastClosedOpenTime(timeframe: Timeframe, now: number): number {
  return alignTime(now, timeframe) - timeframeMs(timeframe);
}

/**
 * When to poll next: the first candle close C with C + buildDelayMs strictly after `now`, plus the delay.
 * A poll that runs at exactly its planned time therefore schedules the following close, and a poll that
 * runs late (inside the build delay of a close it has not polled yet) still gets that close.
 */
export function nextPollAt(timeframe: Timeframe, now: number, buildDelayMs: number): number {
  if (!(buildDelayMs >= 0)) throw new RangeError(`buildDelayMs must be >= 0, got ${buildDelayMs}`);
  const step = timeframeMs(timeframe);
  const close = Math.floor((now - buildDelayMs) / step) * step + step;
  return close + buildDelayMs;
}
