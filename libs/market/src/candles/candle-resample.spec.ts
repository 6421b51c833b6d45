import { describe, it, expect } from 'vitest';
import { resolve } from 'node:path';
import { resampleCandles, timeframeMs, type Candle, type Timeframe } from '@tb/strategies';
import { ROOT } from '../../../../test/support/candles';
import { loadCandlesFile } from './candle-file.loader';

/**
 * Resampling the committed datasets through the market loader, checked against an independent group-by:
 * bucket = floor(time / target) * target; open = first, close = last, high = max, low = min, volume = sum
 * (summed in time order, as a running total, so float sums match to the bit).
 */
function groupBy(candles: readonly Candle[], to: Timeframe): Candle[] {
  const ms = timeframeMs(to);
  const buckets = new Map<number, Candle[]>();
  for (const c of candles) {
    const b = Math.floor(c.time / ms) * ms;
    const list = buckets.get(b);
    if (list) list.push(c);
    else buckets.set(b, [c]);
  }
  return [...buckets.entries()].map(([time, list]) => {
    let volume = 0;
    for (const c of list) volume += c.volume;
    return {
      time,
      open: list[0].open,
      high: Math.max(...list.map((c) => c.high)),
      low: Math.min(...list.map((c) => c.low)),
      close: list[list.length - 1].close,
      volume,
    };
  });
}

async function load(file: string): Promise<{ timeframe: Timeframe; candles: Candle[] }> {
  return loadCandlesFile(resolve(ROOT, file));
}

describe('resampling committed data', () => {
  it('BTC 1h (2 years) → 4h matches an independent aggregation', async () => {
    const { timeframe, candles } = await load('data/binance_BTC-USDT_1h_2024-2025.csv');
    const out = resampleCandles(candles, timeframe, '4h');
    expect(out.length).toBe(17_544 / 4);
    expect(out).toEqual(groupBy(candles, '4h'));
    // Hand check of the first bar from the file's first four rows.
    expect(out[0]).toMatchObject({ time: 1704067200000, open: 42283.58, close: candles[3].close });
  });

  it('Bybit BTC 5m (May 2025) → 1h matches an independent aggregation', async () => {
    const { timeframe, candles } = await load('data/bybitlinear_BTC-USDT_5m_2025-05.csv');
    expect(timeframe).toBe('5m');
    const out = resampleCandles(candles, timeframe, '1h');
    expect(out.length).toBe(31 * 24);
    expect(out).toEqual(groupBy(candles, '1h'));
  });

  it('Binance BTC 5m with gaps (December 2020) → 1h keeps partial hours and skips empty ones', async () => {
    const { candles } = await load('data/binance_BTC-USDT_5m_2020-12.csv');
    const out = resampleCandles(candles, '5m', '1h');
    const expected = groupBy(candles, '1h');
    expect(out).toEqual(expected);
    // Holes: 2020-12-21 14:05 → 18:00 leaves hours 15:00–17:00 empty, 2020-12-25 01:55 → 03:00 leaves 02:00 empty.
    expect(out.length).toBe(31 * 24 - 3 - 1);
    for (const hour of [Date.UTC(2020, 11, 21, 15), Date.UTC(2020, 11, 21, 16), Date.UTC(2020, 11, 21, 17), Date.UTC(2020, 11, 25, 2)]) {
      expect(out.some((c) => c.time === hour)).toBe(false);
    }
    // 14:00 on the 21st is a partial hour (14:00 and 14:05 only).
    const partial = out.find((c) => c.time === Date.UTC(2020, 11, 21, 14))!;
    const parts = candles.filter((c) => c.time >= Date.UTC(2020, 11, 21, 14) && c.time < Date.UTC(2020, 11, 21, 15));
    expect(parts.length).toBe(2);
    expect(partial.close).toBe(parts[1].close);
  });
});
