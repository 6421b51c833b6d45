import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Candle } from '@tb/strategies';

/** Project root, for tests that read committed fixtures. */
export const ROOT = resolve(__dirname, '..', '..');

/**
 * Reads a committed candle CSV (timestamp,open,high,low,close,volume) for tests.
 * `file` is relative to the project root, e.g. 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv' or 'data/...'.
 */
export function readCandlesCsv(file: string): Candle[] {
  const text = readFileSync(resolve(ROOT, file), 'utf8');
  const lines = text.split(/\r?\n/);
  const out: Candle[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const [t, o, h, l, c, v] = line.split(',');
    out.push({ time: Number(t), open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) });
  }
  return out;
}
