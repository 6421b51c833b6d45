import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../test/support/fake-exchange/fake-binance.faults';
import { ceilPrice, cleanDecimals, floorAmount, floorPrice, roundPrice } from './precision';

/** The definition cleanDecimals must reproduce double for double: the string round trip. */
const byString = (x: number, d: number): number => Number(x.toFixed(Math.min(d, 15)));

describe('cleanDecimals (the rounding helpers\' float-noise strip)', () => {
  it('is Number(x.toFixed(d)) on hand-picked ties, near-ties and float noise', () => {
    const cases: [number, number][] = [
      [0.30000000000000004, 1], // 0.1 + 0.2
      [100.10000000000001, 2], // 100 × 1.001
      [1.005, 2], // stored as 1.00499999999999989…: toFixed gives 1.00
      [2.675, 2], // 2.67499999999999982…
      [0.125, 2], // an exact tie: the larger, 0.13
      [0.15, 1], // 0.1499999999999999944…, but 0.15 × 10 is exactly 1.5 in doubles: toFixed gives 0.1, Math.round 0.2
      [2.05, 1], // likewise 2.0
      [0.375, 2],
      [1e-7, 3],
      [0.0005, 3], // 0.000500000000000000010…
      [123456.785, 2],
      [0, 4],
      [-1.25, 1], // negative: the string path
      [5e15, 2], // beyond the fast range
      [Number.NaN, 2],
      [7, 0],
      [0.49999999999999994, 0],
    ];
    for (const [x, d] of cases) expect(Object.is(cleanDecimals(x, d), byString(x, d)), `${x} to ${d} decimals`).toBe(true);
  });

  it('is Number(x.toFixed(d)) on 200,000 seeded random prices, amounts and tick multiples', () => {
    const r = mulberry32(20261204); // seeded: a failure names a reproducible case
    const ticks = [1, 0.5, 0.1, 0.05, 0.01, 0.001, 0.0001, 0.00001, 1e-8];
    for (let i = 0; i < 200_000; i++) {
      const t = ticks[i % ticks.length];
      const d = Math.round(-Math.log10(t));
      const scale = 10 ** Math.floor(r() * 12 - 4); // 1e-4 .. 1e7
      const raw = r() * scale;
      // what the helpers feed it: a multiple of the tick (with its float noise), a raw value, a value near a half tick
      const xs = [Math.floor(raw / t + 1e-9) * t, raw, (Math.floor(raw / t) + 0.5) * t];
      for (const x of xs) {
        const dd = i % 3 === 0 ? d + 1 : d;
        if (!Object.is(cleanDecimals(x, dd), byString(x, dd))) expect.fail(`${x} to ${dd} decimals: ${cleanDecimals(x, dd)} != ${byString(x, dd)}`);
      }
    }
  });

  it('leaves the rounding helpers as they were (tick 0.1, step 0.001)', () => {
    expect(floorPrice({ tickSize: 0.1 }, 100.19)).toBe(100.1);
    expect(ceilPrice({ tickSize: 0.1 }, 100.11)).toBe(100.2);
    expect(roundPrice({ tickSize: 0.1 }, 100.15)).toBe(100.2); // 100.15 / 0.1 = 1001.5 in doubles: rounds up
    expect(floorAmount({ amountStep: 0.001 }, 0.0069999)).toBe(0.006);
    expect(floorAmount({ amountStep: 0.001 }, 0.006999999999)).toBe(0.007); // within the 1e-9 step tolerance
  });
});
