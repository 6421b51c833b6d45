import { describe, it, expect } from 'vitest';
import { resolve } from 'node:path';
import { readCandlesCsv, ROOT } from '../../../../test/support/candles';
import { CandleValidationError } from './candle.errors';
import { loadCandleColumnsFile, loadCandlesFile } from './candle-file.loader';

// Committed datasets (data/README.md). Expected values come from the figures in data/README.md (computed with
// awk when the files were cut) and rows read by hand; test/support's readCandlesCsv (the same reader, in one
// pass over the text) checks that the streaming loader assembles its batches into the same series.
const BTC_1H = 'data/binance_BTC-USDT_1h_2024-2025.csv';
const BTC_5M_GAPS = 'data/binance_BTC-USDT_5m_2020-12.csv';

describe('loadCandlesFile on committed data', () => {
  it('loads 2 years of BTC 1h exactly as written, infers 1h, finds no gap', async () => {
    const loaded = await loadCandlesFile(resolve(ROOT, BTC_1H));
    const expected = readCandlesCsv(BTC_1H);
    expect(loaded.timeframe).toBe('1h');
    expect(loaded.candles.length).toBe(17_544); // 366 + 365 days × 24
    expect(loaded.candles).toEqual(expected);
    expect(loaded.candles[0]).toEqual({ time: 1704067200000, open: 42283.58, high: 42554.57, low: 42261.02, close: 42475.23, volume: 1271.68108 });
    expect(loaded.candles[17_543].time).toBe(Date.UTC(2025, 11, 31, 23));
    expect(loaded.gaps).toEqual([]);
    expect(loaded.missing).toBe(0);
  });

  it('reports the two gaps of BTC 5m December 2020 (Binance maintenance)', async () => {
    const loaded = await loadCandlesFile(resolve(ROOT, BTC_5M_GAPS), { timeframe: '5m' });
    expect(loaded.candles.length).toBe(8_870);
    expect(loaded.gaps).toEqual([
      { after: Date.UTC(2020, 11, 21, 14, 5), before: Date.UTC(2020, 11, 21, 18, 0), missing: 46 },
      { after: Date.UTC(2020, 11, 25, 1, 55), before: Date.UTC(2020, 11, 25, 3, 0), missing: 12 },
    ]);
    expect(loaded.missing).toBe(58);
    expect(8_870 + 58).toBe(31 * 24 * 12);
  });

  it('loads the same values into typed-array columns', async () => {
    const expected = readCandlesCsv(BTC_5M_GAPS);
    const { columns, timeframe, gaps } = await loadCandleColumnsFile(resolve(ROOT, BTC_5M_GAPS), { batchSize: 1000 });
    expect(timeframe).toBe('5m');
    expect(gaps).toHaveLength(2);
    expect(columns.length).toBe(expected.length);
    expect(columns.time.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const c = expected[i];
      if (
        columns.time[i] !== c.time ||
        columns.open[i] !== c.open ||
        columns.high[i] !== c.high ||
        columns.low[i] !== c.low ||
        columns.close[i] !== c.close ||
        columns.volume[i] !== c.volume
      ) {
        throw new Error(`row ${i} differs`);
      }
    }
  });

  it('rejects a 1h file loaded as 4h with the first misaligned line', async () => {
    // Line 2 is 2024-01-01 00:00 (4h-aligned), line 3 is 01:00.
    const err = await loadCandlesFile(resolve(ROOT, BTC_1H), { timeframe: '4h' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandleValidationError);
    expect((err as CandleValidationError).code).toBe('CANDLE_MISALIGNED');
    expect((err as CandleValidationError).line).toBe(3);
  });
});
