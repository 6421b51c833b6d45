import { timeframeMs, type Candle, type Timeframe } from '@tb/strategies';

/**
 * Missing candles between two consecutive rows: `after` is the open time of the last candle before the hole,
 * `before` the open time of the first candle after it, `missing` how many candles of the timeframe fit between.
 * Gaps are facts about the data (exchange maintenance, delistings), reported, never an error.
 */
export interface CandleGap {
  readonly after: number;
  readonly before: number;
  readonly missing: number;
}

/** Gaps of an already sorted, aligned series. O(n), no allocation unless a gap is found. */
export function detectGaps(candles: readonly Pick<Candle, 'time'>[], timeframe: Timeframe): CandleGap[] {
  const step = timeframeMs(timeframe);
  const gaps: CandleGap[] = [];
  for (let i = 1; i < candles.length; i++) {
    const prev = candles[i - 1].time;
    const cur = candles[i].time;
    if (cur - prev > step) gaps.push({ after: prev, before: cur, missing: Math.round((cur - prev) / step) - 1 });
  }
  return gaps;
}

/** Total number of missing candles over a list of gaps. */
export function countMissing(gaps: readonly CandleGap[]): number {
  let n = 0;
  for (const g of gaps) n += g.missing;
  return n;
}
