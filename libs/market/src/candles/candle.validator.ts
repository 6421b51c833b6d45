import { timeframeFromMinutes, timeframeMs, type Timeframe } from '@tb/strategies';
import { CandleValidationError } from './candle.errors';
import type { CandleGap } from './candle-gap.detector';

/** Timestamps below this are taken for seconds, not milliseconds (1e11 ms = 1973-03-03). */
const MIN_MS_TIMESTAMP = 1e11;

/**
 * Streaming validator for one candle series. Feed rows in file order with `check`; it throws a
 * `CandleValidationError` carrying the row's line number at the first problem and records gaps.
 *
 * Row checks: integer millisecond timestamp, prices > 0, volume >= 0 (zero-volume candles exist on real
 * exchanges), high >= low, high >= max(open, close), low <= min(open, close).
 * Sequence checks: strictly ascending (duplicate vs unsorted told apart), and — once the timeframe is known —
 * open times aligned to the timeframe; holes are recorded as gaps.
 *
 * Without a timeframe only row and ordering checks run (used while inferring the timeframe).
 */
export class CandleValidator {
  readonly gaps: CandleGap[] = [];
  /** Rows accepted so far. */
  rows = 0;
  /** Missing candles over all gaps so far. */
  missing = 0;
  private prevTime = Number.NEGATIVE_INFINITY;
  private prevLine = 0;
  private readonly step: number;

  constructor(readonly timeframe?: Timeframe) {
    this.step = timeframe ? timeframeMs(timeframe) : 0;
  }

  /** Open time of the last accepted row (NaN before the first). */
  get lastTime(): number {
    return this.rows === 0 ? Number.NaN : this.prevTime;
  }

  check(time: number, open: number, high: number, low: number, close: number, volume: number, line: number): void {
    checkRow(time, open, high, low, close, volume, line);
    const step = this.step;
    if (step !== 0 && time % step !== 0) {
      throw new CandleValidationError(
        'CANDLE_MISALIGNED',
        line,
        `timestamp ${time} (${iso(time)}) is not aligned to the ${this.timeframe} timeframe`,
      );
    }
    const prev = this.prevTime;
    if (time <= prev) {
      if (time === prev) {
        throw new CandleValidationError('CANDLE_DUPLICATE', line, `duplicate timestamp ${time} (${iso(time)}), first seen on line ${this.prevLine}`);
      }
      throw new CandleValidationError(
        'CANDLE_UNSORTED',
        line,
        `timestamp ${time} (${iso(time)}) is before the previous row's ${prev} (${iso(prev)}, line ${this.prevLine})`,
      );
    }
    if (step !== 0 && this.rows > 0 && time - prev > step) {
      const missing = (time - prev) / step - 1;
      this.gaps.push({ after: prev, before: time, missing });
      this.missing += missing;
    }
    this.prevTime = time;
    this.prevLine = line;
    this.rows++;
  }
}

/** Row-level checks that need no context. Throws `CandleValidationError` with `line`. */
export function checkRow(time: number, open: number, high: number, low: number, close: number, volume: number, line: number): void {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new CandleValidationError('CANDLE_BAD_TIMESTAMP', line, `timestamp ${time} is not a non-negative integer of milliseconds`);
  }
  if (time < MIN_MS_TIMESTAMP) {
    throw new CandleValidationError('CANDLE_BAD_TIMESTAMP', line, `timestamp ${time} looks like seconds; expected Unix epoch milliseconds`);
  }
  if (!(open > 0 && high > 0 && low > 0 && close > 0)) {
    throw new CandleValidationError('CANDLE_NON_POSITIVE_PRICE', line, `prices must be > 0 (open ${open}, high ${high}, low ${low}, close ${close})`);
  }
  if (!(volume >= 0)) {
    throw new CandleValidationError('CANDLE_NEGATIVE_VOLUME', line, `volume ${volume} is negative`);
  }
  if (high < low) {
    throw new CandleValidationError('CANDLE_HIGH_BELOW_LOW', line, `high ${high} < low ${low}`);
  }
  if (high < open || high < close) {
    throw new CandleValidationError('CANDLE_HIGH_BELOW_BODY', line, `high ${high} < max(open ${open}, close ${close})`);
  }
  if (low > open || low > close) {
    throw new CandleValidationError('CANDLE_LOW_ABOVE_BODY', line, `low ${low} > min(open ${open}, close ${close})`);
  }
}

/**
 * Infers the timeframe from open-time spacing: the most frequent positive difference between consecutive
 * times (ties go to the smaller one), so a few gaps or a stray row do not mislead it.
 * Returns undefined when there are fewer than two distinct times; throws when the spacing is no known timeframe.
 */
export function inferTimeframe(times: ArrayLike<number>, lineOf: (index: number) => number = (i) => i + 1): Timeframe | undefined {
  const counts = new Map<number, number>();
  const firstIndexOf = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (!(d > 0)) continue;
    counts.set(d, (counts.get(d) ?? 0) + 1);
    if (!firstIndexOf.has(d)) firstIndexOf.set(d, i);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount || (n === bestCount && d < best)) {
      best = d;
      bestCount = n;
    }
  }
  if (bestCount === 0) return undefined;
  const tf = best % 60_000 === 0 ? timeframeFromMinutes(best / 60_000) : undefined;
  if (!tf) {
    const line = lineOf(firstIndexOf.get(best) ?? 1);
    throw new CandleValidationError(
      'CANDLE_TIMEFRAME_UNKNOWN',
      line,
      `the usual spacing between candles is ${best} ms, which is no supported timeframe; pass the timeframe explicitly`,
    );
  }
  return tf;
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}
