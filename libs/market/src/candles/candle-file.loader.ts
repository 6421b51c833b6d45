import type { Candle, CandleColumns, Timeframe } from '@tb/strategies';
import { readCandleCsv, type ReadCandleCsvOptions } from './candle-csv.reader';
import type { CandleGap } from './candle-gap.detector';

export interface LoadedCandles {
  readonly timeframe: Timeframe;
  readonly candles: Candle[];
  readonly gaps: CandleGap[];
  /** Missing candles over all gaps. */
  readonly missing: number;
}

export interface LoadedCandleColumns {
  readonly timeframe: Timeframe;
  readonly columns: CandleColumns;
  readonly gaps: CandleGap[];
  readonly missing: number;
}

export type LoadCandlesOptions = Pick<ReadCandleCsvOptions, 'timeframe' | 'batchSize'>;

/**
 * Loads and validates a whole candle CSV (for the CLI and the backtester). The timeframe is inferred from the
 * spacing when not given. Throws `CandleValidationError` with the file and line of the first bad row.
 */
export async function loadCandlesFile(path: string, options: LoadCandlesOptions = {}): Promise<LoadedCandles> {
  const candles: Candle[] = [];
  const gaps: CandleGap[] = [];
  let timeframe: Timeframe | undefined;
  let missing = 0;
  for await (const b of readCandleCsv(path, options)) {
    timeframe = b.timeframe;
    for (const c of b.candles) candles.push(c);
    for (const g of b.gaps) {
      gaps.push(g);
      missing += g.missing;
    }
  }
  return { timeframe: timeframe!, candles, gaps, missing };
}

/**
 * Same as `loadCandlesFile` but straight into typed-array columns (about 48 bytes per candle instead of an
 * object each) for whole-series passes over large files.
 */
export async function loadCandleColumnsFile(path: string, options: LoadCandlesOptions = {}): Promise<LoadedCandleColumns> {
  let cap = 1 << 14;
  let time: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let open: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let high: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let low: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let close: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let volume: Float64Array<ArrayBuffer> = new Float64Array(cap);
  let n = 0;
  const gaps: CandleGap[] = [];
  let missing = 0;
  let timeframe: Timeframe | undefined;
  const grow = (need: number): void => {
    if (need <= cap) return;
    while (cap < need) cap *= 2;
    const g = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, n));
      return b;
    };
    time = g(time);
    open = g(open);
    high = g(high);
    low = g(low);
    close = g(close);
    volume = g(volume);
  };
  for await (const b of readCandleCsv(path, options)) {
    timeframe = b.timeframe;
    grow(n + b.candles.length);
    for (const c of b.candles) {
      time[n] = c.time;
      open[n] = c.open;
      high[n] = c.high;
      low[n] = c.low;
      close[n] = c.close;
      volume[n] = c.volume;
      n++;
    }
    for (const g of b.gaps) {
      gaps.push(g);
      missing += g.missing;
    }
  }
  const columns: CandleColumns = {
    length: n,
    time: time.slice(0, n),
    open: open.slice(0, n),
    high: high.slice(0, n),
    low: low.slice(0, n),
    close: close.slice(0, n),
    volume: volume.slice(0, n),
  };
  return { timeframe: timeframe!, columns, gaps, missing };
}
