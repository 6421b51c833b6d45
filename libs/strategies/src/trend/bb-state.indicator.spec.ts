import { describe, it, expect } from 'vitest';
import { createBbStateState, updateBbState, bbStateSeries, type BbStateValue } from './bb-state.indicator';
import { referenceBbState } from './testing/trend.reference';
import { resampleCandles } from '../core/resample';
import { readCandlesCsv } from '../../../../test/support/candles';

const btc1h = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const eth5m = readCandlesCsv('test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv');

function flatThen(n: number, base: number, tail: number[]): number[] {
  return [...new Array<number>(n).fill(base), ...tail];
}

function toNullable(a: Float64Array): (number | null)[] {
  return Array.from(a, (x) => (Number.isNaN(x) ? null : x));
}

describe('BB_State: hand-checked synthetic cases', () => {
  it('is null for the first 113 closes (SMA(BBW,100) needs 15 + 99 closes), then 0 on a flat market', () => {
    const out = toNullable(bbStateSeries(flatThen(200, 100, [])));
    expect(out.slice(0, 113).every((v) => v === null)).toBe(true);
    expect(out.slice(113)).toEqual(new Array(87).fill(0));
  });

  it('a jump to 300 after a flat 100 crosses buzz upward with bbr > 0.5: +2, then 0 after three falling BBW bars', () => {
    // Hand computation, window of 15 with k closes at 300 and 15-k at 100:
    //   BBW = 30*sqrt(k(15-k))/(7.5+k): k=1 13.21, 2 16.10, 3 17.14, 4 17.30, 5 16.97, 6 16.33
    //   bar 200 (k=1): prev BBW 0 <= prev buzz 0.7*max(0,5)=3.5 and 13.21 > buzz 0.7*13.21 -> crossover;
    //                  bbr = (300-69.25)/149.67 = 1.75 > 0.5 -> +2; squeeze = min(13.21,5)/0.7 = 7.14 < BBW -> no -1.
    //   k=2..5: no crossover (BBW[1] > buzz[1]), not falling (k=5: 16.97 > 16.10) -> stays +2.
    //   k=6: 16.33 < 16.97, 17.30, 17.14 -> ta.falling(bbw, 3) -> 0.
    const out = toNullable(bbStateSeries(flatThen(200, 100, [300, 300, 300, 300, 300, 300])));
    expect(out.slice(199)).toEqual([0, 2, 2, 2, 2, 2, 0]);
  });

  it('a crash to 1 after a flat 100 gives −2 (crossover with bbr < 0.5)', () => {
    // k=1 at 1: mean 93.4, sd 24.69, BBW = 7.93 > squeeze 7.14; bbr = (1-56.36)/74.08 = -0.75
    const out = toNullable(bbStateSeries(flatThen(200, 100, [1])));
    expect(out.slice(199)).toEqual([0, -2]);
  });

  it('a jump to 200: crossover sets +2, the squeeze rule overrides to −1, and the rising-BBW reset ends at 0', () => {
    // BBW = 7.015, buzz = 4.91 (crossover, bbr 1.75 -> +2); squeeze = min(7.015,5)/0.7 = 7.14 > BBW and the
    // 2nd-length flag is true (BBW_2nd 3.78 < squeeze_2nd 5.40) -> −1; BBW > pl_avg (5) and rising -> 0.
    const out = toNullable(bbStateSeries(flatThen(200, 100, [200])));
    expect(out[200]).toBe(0);
  });

  it('the −1 squeeze state: a quiet market with no pivot-low history', () => {
    // Alternating 100/101: BBW ≈ 0.15 (two alternating values, so no strict pivot ever forms). With an empty
    // pl array, pl_avg = min(BBW, 5) = BBW, so squeeze = BBW/0.7 > BBW; squeeze_2nd likewise > BBW_2nd keeps
    // the flag true -> −1 on every bar; the reset needs BBW > pl_avg = BBW, never true.
    const closes = Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? 100 : 101));
    const out = toNullable(bbStateSeries(closes));
    expect(out.slice(113)).toEqual(new Array(37).fill(-1));
  });
});

describe('BB_State: agrees with an independent naive Pine transcription on real data', () => {
  const cases: [string, number[]][] = [
    ['BTC/USDT 1h 2024', btc1h.map((c) => c.close)],
    ['ETH/USDT 5m 2021-01', eth5m.map((c) => c.close)],
    ['ETH/USDT 15m (resampled)', resampleCandles(eth5m, '5m', '15m').map((c) => c.close)],
    ['BTC/USDT 4h (resampled)', resampleCandles(btc1h, '1h', '4h').map((c) => c.close)],
  ];
  it.each(cases)('%s', (_name, closes) => {
    const got = toNullable(bbStateSeries(closes));
    const want = referenceBbState(closes);
    expect(got).toEqual(want);
  });

  it('real data exercises every state and fills the 50-slot pivot arrays (so the comparison is meaningful)', () => {
    const seen = new Set(toNullable(bbStateSeries(btc1h.map((c) => c.close))));
    expect([...seen].sort()).toEqual([-1, -2, 0, 2, null].sort());
    const s = createBbStateState();
    for (const c of btc1h) updateBbState(s, c.close);
    expect([s.phRing.count, s.plRing.count]).toEqual([50, 50]);
    expect(s.pl2Ring.count).toBeGreaterThan(0);
  });
});

describe('BB_State: streaming properties', () => {
  const closes = btc1h.map((c) => c.close);

  it('batch equals the streaming loop, over closes or candles', () => {
    const s = createBbStateState();
    const stream: (BbStateValue | null)[] = closes.map((x) => updateBbState(s, x));
    expect(toNullable(bbStateSeries(closes))).toEqual(stream);
    expect(toNullable(bbStateSeries(btc1h))).toEqual(stream);
    expect(bbStateSeries([])).toHaveLength(0);
  });

  it('state survives a JSON round trip mid-series', () => {
    const full = toNullable(bbStateSeries(closes));
    for (const cut of [50, 113, 500, 4321, 8000]) {
      let s = createBbStateState();
      const out: (number | null)[] = [];
      for (let i = 0; i < closes.length; i++) {
        if (i === cut) s = JSON.parse(JSON.stringify(s));
        out.push(updateBbState(s, closes[i]));
      }
      expect(out).toEqual(full);
    }
  });
});
