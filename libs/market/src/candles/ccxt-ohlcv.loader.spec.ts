import { describe, it, expect } from 'vitest';
import { CandleValidationError } from './candle.errors';
import { candlesFromCcxt, closedCandles, type CcxtOhlcvRow } from './ccxt-ohlcv.loader';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

// Shape of ccxt fetchOHLCV('BTC/USDT', '1h') output (values from data/binance_BTC-USDT_1h_2024-2025.csv).
const ROWS: CcxtOhlcvRow[] = [
  [1704067200000, 42283.58, 42554.57, 42261.02, 42475.23, 1271.68108],
  [1704070800000, 42475.23, 42775.0, 42431.65, 42613.56, 1196.37856],
  [1704074400000, 42613.57, 42713.0, 42603.0, 42616.43, 1033.14108],
];

function errorOf(fn: () => unknown): CandleValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CandleValidationError) return e;
    throw e;
  }
  throw new Error('expected a CandleValidationError');
}

describe('candlesFromCcxt', () => {
  it('converts [ms, o, h, l, c, v] rows to candles and infers the timeframe', () => {
    const s = candlesFromCcxt(ROWS);
    expect(s.timeframe).toBe('1h');
    expect(s.candles[0]).toEqual({ time: 1704067200000, open: 42283.58, high: 42554.57, low: 42261.02, close: 42475.23, volume: 1271.68108 });
    expect(s.candles.map((c) => c.close)).toEqual([42475.23, 42613.56, 42616.43]);
    expect(s.gaps).toEqual([]);
  });

  it('reports gaps', () => {
    const rows: CcxtOhlcvRow[] = [0, 1, 2, 6].map((i) => [T0 + i * H, 10, 11, 9, 10, 1]);
    const s = candlesFromCcxt(rows, { timeframe: '1h' });
    expect(s.gaps).toEqual([{ after: T0 + 2 * H, before: T0 + 6 * H, missing: 3 }]);
    expect(s.missing).toBe(3);
  });

  it('rejects bad rows with their 1-based row number', () => {
    const bad = (row: CcxtOhlcvRow, tf: '1h' | undefined = '1h'): CandleValidationError =>
      errorOf(() => candlesFromCcxt([...ROWS, row, [1704081600000, 10, 11, 9, 10, 1]], { timeframe: tf }));
    const t = 1704078000000;
    expect([bad([t, 10, 11, 9, 10, undefined]).code, bad([t, 10, 11, 9, 10, undefined]).line]).toEqual(['CANDLE_NOT_NUMERIC', 4]);
    expect(bad([t, 10, 11, 9, 10, null]).code).toBe('CANDLE_NOT_NUMERIC');
    expect(bad([t, Number.NaN, 11, 9, 10, 1]).code).toBe('CANDLE_NOT_NUMERIC');
    expect(bad([t, 10, 11, 9]).code).toBe('CANDLE_COLUMN_COUNT');
    expect(bad([t, 10, 8, 9, 10, 1]).code).toBe('CANDLE_HIGH_BELOW_LOW');
    expect(bad([t, 12, 11, 9, 10, 1]).code).toBe('CANDLE_HIGH_BELOW_BODY');
    expect(bad([t, 10, 11, 9.5, 9.2, 1]).code).toBe('CANDLE_LOW_ABOVE_BODY');
    expect(bad([t, 10, 11, 0, 10, 1]).code).toBe('CANDLE_NON_POSITIVE_PRICE');
    expect(bad([t, 10, 11, 9, 10, -1]).code).toBe('CANDLE_NEGATIVE_VOLUME');
    expect(bad([t + 1, 10, 11, 9, 10, 1]).code).toBe('CANDLE_MISALIGNED');
    const dup = bad([1704074400000, 10, 11, 9, 10, 1]);
    expect([dup.code, dup.line]).toEqual(['CANDLE_DUPLICATE', 4]);
    const uns = bad([1704067200000 - H, 10, 11, 9, 10, 1], undefined);
    expect([uns.code, uns.line]).toEqual(['CANDLE_UNSORTED', 4]);
    expect(errorOf(() => candlesFromCcxt([])).code).toBe('CANDLE_EMPTY_INPUT');
  });
});

describe('closedCandles', () => {
  const candles = [0, 1, 2].map((i) => ({ time: T0 + i * H }));
  it('drops the still-forming last candle', () => {
    expect(closedCandles(candles, '1h', T0 + 2 * H + 1)).toEqual(candles.slice(0, 2));
    expect(closedCandles(candles, '1h', T0 + 3 * H - 1)).toEqual(candles.slice(0, 2));
  });
  it('keeps a candle from the moment it closes', () => {
    expect(closedCandles(candles, '1h', T0 + 3 * H)).toBe(candles);
    expect(closedCandles(candles, '1h', T0 + H)).toEqual(candles.slice(0, 1));
    expect(closedCandles(candles, '1h', T0)).toEqual([]);
  });
});
