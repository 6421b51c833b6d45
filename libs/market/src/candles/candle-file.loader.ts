import type { Candle, CandleColumns, Timeframe } from '@tb/strategies';
import { CandleColumnsBuilder, readCandleCsv, type ReadCandleCsvOptions } from './candle-csv.reader';
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
 * object each) for whole-series passes over large files (the backtester). `shared: true` allocates them on
 * SharedArrayBuffers, for worker threads (sweeps) to read without a copy.
 */
export async function loadCandleColumnsFile(path: string, options: LoadCandlesOptions & { readonly shared?: boolean } = {}): Promise<LoadedCandleColumns> {
  const builder = new CandleColumnsBuilder(options.shared === true);
  const gaps: CandleGap[] = [];
  let missing = 0;
  let timeframe: Timeframe | undefined;
  for await (const b of readCandleCsv(path, options)) {
    timeframe = b.timeframe;
    builder.pushAll(b.candles);
    for (const g of b.gaps) {
      gaps.push(g);
      missing += g.missing;
    }
  }
  return { timeframe: timeframe!, columns: builder.finish(), gaps, missing };
}
