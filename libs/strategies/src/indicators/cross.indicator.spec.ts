import { describe, expect, it } from 'vitest';
import {
  createFallingState,
  createRisingState,
  crossover,
  crossoverSeries,
  crossunder,
  crossunderSeries,
  falling,
  rising,
  updateFalling,
  updateRising,
} from './cross.indicator';
import { ema } from './moving-average.indicator';
import { btc1h, expectBitEqual, streamWithJsonRoundTrip } from './indicator.testing';

const close = btc1h().close;
const n = close.length;

describe('crossover / crossunder (Pine ta.crossover / ta.crossunder)', () => {
  it('crosses only when the previous bar was at or on the other side', () => {
    expect(crossover(1, 2, 3, 2)).toBe(true);
    expect(crossover(2, 2, 3, 2)).toBe(true); // touching before counts
    expect(crossover(3, 2, 4, 2)).toBe(false); // already above
    expect(crossover(1, 2, 2, 2)).toBe(false); // equal now is not above
    expect(crossunder(3, 2, 1, 2)).toBe(true);
    expect(crossunder(2, 2, 1, 2)).toBe(true);
    expect(crossunder(1, 2, 0, 2)).toBe(false);
    expect(crossover(NaN, 2, 3, 2)).toBe(false);
  });

  it('series forms agree with a naive loop on real EMA crosses', () => {
    const a = ema(close, 9);
    const b = ema(close, 21);
    const up = crossoverSeries(a, b);
    const dn = crossunderSeries(a, b);
    let ups = 0;
    for (let i = 1; i < n; i++) {
      expect(up[i]).toBe(a[i] > b[i] && a[i - 1] <= b[i - 1] ? 1 : 0);
      expect(dn[i]).toBe(a[i] < b[i] && a[i - 1] >= b[i - 1] ? 1 : 0);
      ups += up[i];
    }
    expect(ups).toBeGreaterThan(50);
  });
});

describe('rising(n) / falling(n) (Pine ta.rising / ta.falling: x > x[i] for every i in 1..n)', () => {
  it('compares with each of the previous n values, not consecutive steps', () => {
    // at i=4: 4 > 2 and 4 > 3 -> rising(2) is true although 2 -> 3 -> 2 was not a consecutive rise
    expect(Array.from(rising(Float64Array.from([1, 2, 3, 2, 4]), 2))).toEqual([0, 0, 1, 0, 1]);
    expect(Array.from(falling(Float64Array.from([5, 4, 3, 4, 2]), 2))).toEqual([0, 0, 1, 0, 1]);
  });

  it('is strict and false while history is short or contains NaN', () => {
    expect(Array.from(rising(Float64Array.from([1, 1, 2]), 1))).toEqual([0, 0, 1]);
    // i=3: previous values are 3 and NaN -> false; i=4: previous 4 and 3 -> true
    expect(Array.from(rising(Float64Array.from([1, NaN, 3, 4, 5]), 2))).toEqual([0, 0, 0, 0, 1]);
  });

  it('streaming equals batch on real candles and matches a naive loop', () => {
    for (const len of [1, 3]) {
      const r = streamWithJsonRoundTrip(() => createRisingState(len), n, (s, i) => (updateRising(s, close[i]) ? 1 : 0));
      const f = streamWithJsonRoundTrip(() => createFallingState(len), n, (s, i) => (updateFalling(s, close[i]) ? 1 : 0));
      const rb = rising(close, len);
      const fb = falling(close, len);
      expectBitEqual(Uint8Array.from(r), rb, `rising(${len})`);
      expectBitEqual(Uint8Array.from(f), fb, `falling(${len})`);
      for (let i = 0; i < n; i++) {
        let up = i >= len;
        let dn = i >= len;
        for (let k = 1; k <= len && i >= len; k++) {
          if (!(close[i] > close[i - k])) up = false;
          if (!(close[i] < close[i - k])) dn = false;
        }
        expect(rb[i]).toBe(up ? 1 : 0);
        expect(fb[i]).toBe(dn ? 1 : 0);
      }
    }
  });
});
