/**
 * Test helpers for the indicator specs (not exported from the lib; only *.spec.ts files import this).
 */
import { expect } from 'vitest';
import { toColumns, type CandleColumns } from '../core/candle';
import { readCandlesCsv } from '../../../../test/support/candles';

export const BTC_1H_FIXTURE = 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv';

let cached: CandleColumns | undefined;

/** Real Binance BTC/USDT 1h candles of 2024 (8,784 bars), as columns. */
export function btc1h(): CandleColumns {
  cached ??= toColumns(readCandlesCsv(BTC_1H_FIXTURE));
  return cached;
}

/** Asserts a and b are identical element by element (Object.is: NaN == NaN, +0 != -0). */
export function expectBitEqual(a: ArrayLike<number>, b: ArrayLike<number>, label = ''): void {
  expect(a.length, `${label} length`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      throw new Error(`${label}: element ${i} differs: ${a[i]} vs ${b[i]}`);
    }
  }
}

/**
 * Asserts |a - b| <= rel * max(|a|, |b|) for i >= from (both finite), and that both are NaN together
 * before that where `nanBefore` is given. Returns the number of elements compared.
 */
export function expectCloseFrom(
  ours: ArrayLike<number>,
  ref: ArrayLike<number>,
  from: number,
  rel = 1e-9,
  label = '',
): number {
  expect(ours.length, `${label} length`).toBe(ref.length);
  let compared = 0;
  for (let i = from; i < ours.length; i++) {
    const a = ours[i];
    const b = ref[i];
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new Error(`${label}: element ${i} not finite: ours ${a}, reference ${b}`);
    }
    const tol = rel * Math.max(Math.abs(a), Math.abs(b));
    if (Math.abs(a - b) > tol) {
      throw new Error(`${label}: element ${i} differs beyond ${rel} relative: ours ${a}, reference ${b}`);
    }
    compared++;
  }
  return compared;
}

/**
 * Aligns a technicalindicators result (which omits its warm-up) with our full-length array: the
 * library's last element is the last bar. Returns a full-length Float64Array with NaN in front.
 */
export function alignRight(lib: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  const off = n - lib.length;
  for (let j = 0; j < lib.length; j++) out[off + j] = lib[j];
  return out;
}

/** Index of the first non-NaN element, or -1. */
export function firstFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) return i;
  return -1;
}

/**
 * Runs `update` over src streaming, round-tripping the state through JSON at `cut` to prove it is plain
 * data (no NaN, no class instances), and returns the outputs.
 */
export function streamWithJsonRoundTrip<S, R>(
  create: () => S,
  n: number,
  step: (state: S, i: number) => R,
  cut = Math.floor(n / 2),
): R[] {
  let state = create();
  const out: R[] = new Array<R>(n);
  for (let i = 0; i < n; i++) {
    if (i === cut) {
      const json = JSON.stringify(state);
      expect(json).not.toContain('null'); // NaN/Infinity would have become null
      state = JSON.parse(json) as S;
    }
    out[i] = step(state, i);
  }
  return out;
}

/** Deterministic pseudo-random series (LCG) for property-style checks; no Math.random. */
export function lcgSeries(n: number, seed = 12345, start = 100): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  let v = start;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    v += (x / 4294967296 - 0.5) * 2;
    out[i] = v;
  }
  return out;
}
