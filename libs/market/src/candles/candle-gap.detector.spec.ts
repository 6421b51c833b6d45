import { describe, it, expect } from 'vitest';
import { countMissing, detectGaps } from './candle-gap.detector';
import { readCandlesCsv } from '../../../../test/support/candles';

const M5 = 300_000;
const T0 = Date.UTC(2024, 0, 1);

describe('detectGaps', () => {
  it('lists each hole with the candles around it and how many are missing', () => {
    const times = [0, 1, 2, 5, 6, 8, 20].map((i) => ({ time: T0 + i * M5 }));
    const gaps = detectGaps(times, '5m');
    expect(gaps).toEqual([
      { after: T0 + 2 * M5, before: T0 + 5 * M5, missing: 2 },
      { after: T0 + 6 * M5, before: T0 + 8 * M5, missing: 1 },
      { after: T0 + 8 * M5, before: T0 + 20 * M5, missing: 11 },
    ]);
    expect(countMissing(gaps)).toBe(14);
  });

  it('finds nothing in a contiguous series, an empty one or a single candle', () => {
    expect(detectGaps([0, 1, 2, 3].map((i) => ({ time: T0 + i * M5 })), '5m')).toEqual([]);
    expect(detectGaps([], '1h')).toEqual([]);
    expect(detectGaps([{ time: T0 }], '1h')).toEqual([]);
  });

  it('agrees with the gap list of data/README.md for BTC 5m December 2020', () => {
    const gaps = detectGaps(readCandlesCsv('data/binance_BTC-USDT_5m_2020-12.csv'), '5m');
    expect(gaps).toEqual([
      { after: 1608559500000, before: 1608573600000, missing: 46 },
      { after: 1608861300000, before: 1608865200000, missing: 12 },
    ]);
  });
});
