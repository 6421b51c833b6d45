import { MarketCandles1732320000000 } from './1732320000000-market-candles';
/**
 * Every committed migration, in order. Listed explicitly (no glob) so the same array works from the compiled
 * apps, the TypeORM CLI (ormconfig.ts) and the test runner. Add one line per new migration.
 */
export const MIGRATIONS: Function[] = [
  MarketCandles1732320000000,
];
