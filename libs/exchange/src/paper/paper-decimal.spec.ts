import { describe, expect, it } from 'vitest';
import { formatUnits, parseUnits, round8, toUnits } from './paper-decimal';

describe('paper decimal (1e-8 fixed point)', () => {
  it.each([
    [0.1 + 0.2, 30_000_000n], // 0.30000000000000004 → 0.3
    [60_000 * 1.001, 6_006_000_000_000n], // 60060.00000000001 → 60060
    [0.0000000151, 2n],
    [0.000000015, 1n], // the double nearest 1.5e-8 is 1.4999999999999999e-8: rounding sees the exact binary value
    [-0.0000000151, -2n],
    [-0.6006, -60_060_000n],
    [123_456_789.12345678, 12_345_678_912_345_678n],
  ])('toUnits(%s) = %s', (x, u) => {
    expect(toUnits(x)).toBe(u);
  });

  it.each([
    ['10000', 1_000_000_000_000n],
    ['9398.7994', 939_879_940_000n],
    ['-0.00000001', -1n],
    ['0.123456785', 12_345_679n],
    ['0.00', 0n],
  ])('parseUnits(%s)', (text, u) => {
    expect(parseUnits(text)).toBe(u);
  });

  it('formats canonical text and round-trips', () => {
    expect(formatUnits(939_879_940_000n)).toBe('9398.7994');
    expect(formatUnits(-1n)).toBe('-0.00000001');
    expect(formatUnits(0n)).toBe('0');
    expect(formatUnits(5_000_000_000n)).toBe('50');
    for (const t of ['1', '0.5', '12345678.87654321', '-3.1']) expect(formatUnits(parseUnits(t))).toBe(t);
  });

  it('refuses what is not a plain decimal', () => {
    expect(() => parseUnits('1e-8')).toThrow(RangeError);
    expect(() => parseUnits('abc')).toThrow(RangeError);
    expect(() => toUnits(Number.NaN)).toThrow(RangeError);
  });

  it('a ledger of rounded values is exact: 10 × 0.1 is 1', () => {
    let total = 0n;
    for (let i = 0; i < 10; i++) total += toUnits(0.1);
    expect(formatUnits(total)).toBe('1');
    expect(round8(0.1 * 3)).toBe(0.3);
  });
});
