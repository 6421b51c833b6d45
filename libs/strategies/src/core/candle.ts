/**
 * One OHLCV candle. `time` is the candle's OPEN time in Unix epoch milliseconds, UTC.
 * A candle is "closed" once `time + timeframeMs` has passed; strategies only ever see closed candles.
 */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Columnar candles for hot loops (indicators over whole series, backtests). */
export interface CandleColumns {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function toColumns(candles: readonly Candle[]): CandleColumns {
  const n = candles.length;
  const cols = {
    length: n,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = candles[i];
    cols.time[i] = c.time;
    cols.open[i] = c.open;
    cols.high[i] = c.high;
    cols.low[i] = c.low;
    cols.close[i] = c.close;
    cols.volume[i] = c.volume;
  }
  return cols;
}

export function candleAt(cols: CandleColumns, i: number): Candle {
  return {
    time: cols.time[i],
    open: cols.open[i],
    high: cols.high[i],
    low: cols.low[i],
    close: cols.close[i],
    volume: cols.volume[i],
  };
}
