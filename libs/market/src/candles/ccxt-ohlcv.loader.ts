import { timeframeMs, type Candle, type Timeframe } from '@tb/strategies';
import { CandleValidationError } from './candle.errors';
import { CandleValidator, inferTimeframe } from './candle.validator';
import type { CandleSeries } from './candle-csv.reader';

/** One ccxt `fetchOHLCV` row: `[openTimeMs, open, high, low, close, volume]` (ccxt types allow undefined). */
export type CcxtOhlcvRow = readonly (number | undefined | null)[];

export interface CcxtOhlcvOptions {
  /** Expected timeframe (the one passed to fetchOHLCV); inferred from the spacing when absent. */
  readonly timeframe?: Timeframe;
}

const FIELDS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Converts and validates ccxt OHLCV arrays with the same rules as the CSV reader. Errors carry the 1-based
 * row number as `line`. Note: exchanges usually include the still-forming candle last — drop it with
 * `closedCandles` before handing the series to a strategy.
 */
export function candlesFromCcxt(rows: readonly CcxtOhlcvRow[], options: CcxtOhlcvOptions = {}): CandleSeries {
  const n = rows.length;
  if (n === 0) throw new CandleValidationError('CANDLE_EMPTY_INPUT', 1, 'no candles in the input');
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length < 6) {
      throw new CandleValidationError('CANDLE_COLUMN_COUNT', i + 1, `expected [timestamp, open, high, low, close, volume], got ${JSON.stringify(r)}`);
    }
    for (let j = 0; j < 6; j++) {
      const v = r[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new CandleValidationError('CANDLE_NOT_NUMERIC', i + 1, `${FIELDS[j]} ${String(v)} is not a finite number`);
      }
    }
  }
  let timeframe = options.timeframe;
  if (!timeframe) {
    // Row and ordering checks first, so a bad row is reported as such rather than as an odd spacing.
    const probe = new CandleValidator();
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number[];
      probe.check(r[0], r[1], r[2], r[3], r[4], r[5], i + 1);
    }
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = (rows[i] as number[])[0];
    timeframe = inferTimeframe(times);
    if (!timeframe) {
      throw new CandleValidationError('CANDLE_TIMEFRAME_UNKNOWN', 1, 'cannot infer the timeframe from a single candle; pass the timeframe explicitly');
    }
  }
  const v = new CandleValidator(timeframe);
  const candles: Candle[] = new Array<Candle>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as number[];
    const time = r[0];
    const open = r[1];
    const high = r[2];
    const low = r[3];
    const close = r[4];
    const volume = r[5];
    v.check(time, open, high, low, close, volume, i + 1);
    candles[i] = { time, open, high, low, close, volume };
  }
  return { timeframe, candles, gaps: v.gaps, missing: v.missing };
}

/**
 * The candles that have closed at `now` (open time + timeframe <= now). Sorted input; returns a prefix
 * (the input itself when nothing is dropped). `now` is passed in: no clock in here.
 */
export function closedCandles<T extends Pick<Candle, 'time'>>(candles: readonly T[], timeframe: Timeframe, now: number): readonly T[] {
  const step = timeframeMs(timeframe);
  let end = candles.length;
  while (end > 0 && candles[end - 1].time + step > now) end--;
  return end === candles.length ? candles : candles.slice(0, end);
}
