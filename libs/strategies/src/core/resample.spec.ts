import { describe, it, expect } from 'vitest';
import type { Candle } from './candle';
import {
  createResampleState,
  updateResample,
  takeResampled,
  resampleCandles,
  stepResample,
  canResample,
} from './resample';
import { readCandlesCsv } from '../../../../test/support/candles';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 1); // 2024-01-01 00:00 UTC, aligned to every timeframe up to 1d

function c(minute: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return { time: T0 + minute * M, open, high, low, close, volume };
}

/** Independent reference: group by bucket; a group is emitted if its closing candle exists or a later group exists. */
function referenceResample(candles: readonly Candle[], fromMin: number, toMin: number): Candle[] {
  const toMs = toMin * M;
  const groups = new Map<number, Candle[]>();
  for (const k of candles) {
    const b = k.time - (k.time % toMs);
    const g = groups.get(b);
    if (g) g.push(k);
    else groups.set(b, [k]);
  }
  const keys = [...groups.keys()];
  const out: Candle[] = [];
  keys.forEach((b, idx) => {
    const g = groups.get(b)!;
    const last = g[g.length - 1];
    const closed = last.time + fromMin * M === b + toMs || idx < keys.length - 1;
    if (!closed) return;
    out.push({
      time: b,
      open: g[0].open,
      high: Math.max(...g.map((x) => x.high)),
      low: Math.min(...g.map((x) => x.low)),
      close: last.close,
      volume: g.reduce((s, x) => s + x.volume, 0),
    });
  });
  return out;
}

describe('resample: hand-checked small cases', () => {
  it('5m -> 15m emits exactly when the bucket-closing candle arrives', () => {
    const s = createResampleState('5m', '15m');
    expect(updateResample(s, c(0, 10, 12, 9, 11, 1))).toBeNull();
    expect(updateResample(s, c(5, 11, 15, 10, 14, 2))).toBeNull();
    // 00:10 closes at 00:15 == bucket close
    expect(updateResample(s, c(10, 14, 14, 8, 9, 3))).toEqual({
      time: T0,
      open: 10,
      high: 15,
      low: 8,
      close: 9,
      volume: 6,
    });
    expect(updateResample(s, c(15, 9, 10, 9, 10, 1))).toBeNull();
  });

  it('same timeframe passes every candle through immediately', () => {
    const s = createResampleState('1h', '1h');
    const k = c(60, 1, 2, 0.5, 1.5, 7);
    expect(updateResample(s, k)).toEqual(k);
    const k2 = c(120, 1.5, 3, 1, 2, 8);
    expect(updateResample(s, k2)).toEqual(k2);
  });

  it('a bucket missing its last candle is emitted when a later bucket candle arrives (gap rule)', () => {
    const s = createResampleState('5m', '15m');
    expect(updateResample(s, c(0, 10, 12, 9, 11, 1))).toBeNull();
    expect(updateResample(s, c(5, 11, 13, 10, 12, 2))).toBeNull();
    // 00:10 missing; 00:15 belongs to the next bucket -> bucket 00:00 is emitted from two candles
    expect(updateResample(s, c(15, 12, 12.5, 11.5, 12, 4))).toEqual({
      time: T0,
      open: 10,
      high: 13,
      low: 9,
      close: 12,
      volume: 3,
    });
    expect(takeResampled(s)).toBeNull();
  });

  it('a bucket missing its first candles is emitted on time by its closing candle', () => {
    const s = createResampleState('5m', '15m');
    expect(updateResample(s, c(10, 5, 6, 4, 5.5, 2))).toEqual({ time: T0, open: 5, high: 6, low: 4, close: 5.5, volume: 2 });
  });

  it('two completions in one update: the gapped bucket first, then the pending one', () => {
    const s = createResampleState('5m', '15m');
    updateResample(s, c(0, 10, 12, 9, 11, 1));
    updateResample(s, c(5, 11, 13, 10, 12, 2));
    // 00:10, 00:15, 00:20 missing; 00:25 closes bucket 00:15 and also reveals that bucket 00:00 ended
    const first = updateResample(s, c(25, 20, 21, 19, 20.5, 5));
    expect(first).toEqual({ time: T0, open: 10, high: 13, low: 9, close: 12, volume: 3 });
    expect(() => updateResample(s, c(30, 1, 1, 1, 1, 1))).toThrow(/pending/);
    expect(takeResampled(s)).toEqual({ time: T0 + 15 * M, open: 20, high: 21, low: 19, close: 20.5, volume: 5 });
    expect(takeResampled(s)).toBeNull();
  });

  it('a fully missing bucket produces no candle', () => {
    const out = resampleCandles([c(0, 1, 1, 1, 1, 1), c(5, 1, 1, 1, 1, 1), c(10, 1, 1, 1, 1, 1), c(30, 2, 2, 2, 2, 2), c(35, 2, 2, 2, 2, 2), c(40, 2, 2, 2, 2, 2)], '5m', '15m');
    expect(out.map((x) => (x.time - T0) / M)).toEqual([0, 30]);
  });

  it('the batch form never emits a trailing bucket that has not closed', () => {
    const out = resampleCandles([c(0, 1, 1, 1, 1, 1), c(5, 1, 1, 1, 1, 1), c(10, 1, 1, 1, 1, 1), c(15, 2, 2, 2, 2, 2), c(20, 2, 2, 2, 2, 2)], '5m', '15m');
    expect(out).toHaveLength(1);
    expect(out[0].time).toBe(T0);
  });

  it('1h -> 8h buckets are aligned to 00:00/08:00/16:00 UTC', () => {
    const hours = Array.from({ length: 24 }, (_, h) => c(h * 60 + 180, h, h + 1, h - 1, h + 0.5, 1)); // 03:00 .. 02:00 next day
    const out = resampleCandles(hours, '1h', '8h');
    expect(out.map((x) => new Date(x.time).toISOString())).toEqual([
      '2024-01-01T00:00:00.000Z', // 03:00..07:00 only (first candles missing), closed by 07:00
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T16:00:00.000Z',
    ]);
    expect(out[0]).toMatchObject({ open: 0, close: 4.5, high: 5, low: -1, volume: 5 });
  });

  it('rejects out-of-order, duplicate and misaligned candles, and impossible timeframe pairs', () => {
    const s = createResampleState('5m', '15m');
    updateResample(s, c(5, 1, 1, 1, 1, 1));
    expect(() => updateResample(s, c(5, 1, 1, 1, 1, 1))).toThrow(RangeError);
    expect(() => updateResample(s, c(0, 1, 1, 1, 1, 1))).toThrow(RangeError);
    expect(() => updateResample(s, { ...c(10, 1, 1, 1, 1, 1), time: T0 + 11 * M })).toThrow(/aligned/);
    expect(() => createResampleState('1h', '15m')).toThrow(RangeError);
    expect(() => createResampleState('3m', '5m')).toThrow(RangeError);
    expect(canResample('3m', '15m')).toBe(true);
    expect(canResample('6h', '8h')).toBe(false);
  });

  it('stepResample reports completions without allocating candles', () => {
    const s = createResampleState('5m', '15m');
    expect(stepResample(s, T0, 1, 2, 0, 1, 1)).toBe(0);
    expect(stepResample(s, T0 + 25 * M, 3, 4, 2, 3, 1)).toBe(2);
    expect(s.done[0]).toEqual({ time: T0, open: 1, high: 2, low: 0, close: 1, volume: 1 });
    expect(s.done[1]).toEqual({ time: T0 + 15 * M, open: 3, high: 4, low: 2, close: 3, volume: 1 });
  });
});

describe('resample: real data', () => {
  const eth5m = readCandlesCsv('test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv');
  const btc1h = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');

  it.each([
    ['5m', '15m', 5, 15],
    ['5m', '30m', 5, 30],
    ['5m', '1h', 5, 60],
    ['5m', '4h', 5, 240],
  ] as const)('ETH 5m -> %s/%s matches an independent group-by', (from, to, fm, tm) => {
    const got = resampleCandles(eth5m, from, to);
    expect(got).toEqual(referenceResample(eth5m, fm, tm));
    expect(got.length).toBe(Math.floor(eth5m.length / (tm / fm)));
  });

  it.each([
    ['1h', '4h', 60, 240],
    ['1h', '8h', 60, 480],
    ['1h', '1d', 60, 1440],
  ] as const)('BTC 1h -> %s/%s matches an independent group-by', (from, to, fm, tm) => {
    expect(resampleCandles(btc1h, from, to)).toEqual(referenceResample(btc1h, fm, tm));
  });

  it('with candles removed (gaps) it still matches the reference rule', () => {
    // drop a deterministic pattern of candles, including whole 15m buckets and bucket-closing candles
    const holey = eth5m.filter((_, i) => i % 7 !== 3 && i % 11 !== 5 && !(i >= 300 && i < 330));
    expect(resampleCandles(holey, '5m', '15m')).toEqual(referenceResample(holey, 5, 15));
    expect(resampleCandles(holey, '5m', '1h')).toEqual(referenceResample(holey, 5, 60));
  });

  it('the state survives a JSON round trip mid-stream (including an open bucket)', () => {
    const holey = eth5m.filter((_, i) => i % 13 !== 4);
    const want = resampleCandles(holey, '5m', '30m');
    let s = createResampleState('5m', '30m');
    const got: Candle[] = [];
    holey.forEach((k, i) => {
      if (i % 997 === 500) s = JSON.parse(JSON.stringify(s));
      let bar = updateResample(s, k);
      while (bar) {
        got.push(bar);
        bar = takeResampled(s);
      }
    });
    expect(got).toEqual(want);
  });

  it('known 4h bar from Binance ETH/USDT 2021-01-01 00:00 UTC (first 48 5m candles)', () => {
    const first = resampleCandles(eth5m.slice(0, 48), '5m', '4h');
    expect(first).toHaveLength(1);
    const g = eth5m.slice(0, 48);
    expect(first[0].open).toBe(736.42);
    expect(first[0].close).toBe(g[47].close);
    expect(first[0].high).toBe(Math.max(...g.map((x) => x.high)));
  });
});
