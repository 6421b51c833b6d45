export * from './core/candle';
export * from './core/timeframe';
export * from './core/contract';
export * from './core/precision';
export * from './indicators';
export * from './hyperrsi';
export * from './grid';
