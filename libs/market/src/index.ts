// @tb/market — candles: loading (CSV, ccxt), validation, gaps, storage and import.
// The candle types, timeframe helpers and resampler live in @tb/strategies (the pure bottom layer) and are
// re-exported here so market-data code needs one import.
export type { Candle, CandleColumns, Timeframe, ResampleState, ResampleBar } from '@tb/strategies';
export {
  TIMEFRAMES,
  isTimeframe,
  parseTimeframe,
  timeframeMs,
  timeframeMinutes,
  timeframeFromMinutes,
  alignTime,
  isAligned,
  candleCloseTime,
  toColumns,
  candleAt,
  canResample,
  createResampleState,
  updateResample,
  takeResampled,
  stepResample,
  resampleCandles,
} from '@tb/strategies';

export * from './candles/candle.errors';
export * from './candles/candle.validator';
export * from './candles/candle-gap.detector';
export * from './candles/candle-csv.reader';
export * from './candles/candle-file.loader';
export * from './candles/ccxt-ohlcv.loader';
export * from './candles/market-key';
export * from './persistence/market-candle.entity';
export * from './persistence/market-candles.repository';
export * from './persistence/candle-import.service';
export * from './persistence/market.module';
export * from './feed/feed-timing';
export * from './feed/feed-registry';
export * from './feed/feed.metrics';
export * from './feed/ohlcv.source';
export * from './feed/live-candle.feed';
export * from './feed/market-feed.module';
