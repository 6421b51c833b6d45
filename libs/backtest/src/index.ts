export * from './engine/backtest.types';
export * from './engine/backtest.runner';
export * from './engine/metrics';
export * from './engine/trade.tracker';
export * from './engine/sma-cross.strategy';
export * from './engine/strategy.registry';
export * from './engine/csv-candles.reader';
