import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCandleCsv } from '@tb/market';
import type { Candle } from '@tb/strategies';

/** Project root, for tests that read committed fixtures. */
export const ROOT = resolve(__dirname, '..', '..');

/**
 * Reads a committed candle CSV (timestamp,open,high,low,close,volume) for tests, through the market lib's one
 * reader. `file` is relative to the project root, e.g. 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv' or 'data/...'.
 */
export function readCandlesCsv(file: string): Candle[] {
  return parseCandleCsv(readFileSync(resolve(ROOT, file), 'utf8'), { source: file }).candles;
}
