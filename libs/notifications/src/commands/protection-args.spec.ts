import { describe, expect, it } from 'vitest';
import { SL_USAGE, TP_USAGE, parseProtectionArgs } from './protection-args';

describe('parseProtectionArgs', () => {
  it.each([
    [['set', 'long', '41500'], { action: 'set', ref: undefined, side: 'long', prices: [41500], sizes: [100] }],
    [['set', 'BTC/USDT:USDT', 'short', '70000'], { action: 'set', ref: 'BTC/USDT:USDT', side: 'short', prices: [70000], sizes: [100] }],
    [['show'], { action: 'show', ref: undefined }],
    [[], { action: 'show', ref: undefined }],
    [['show', '0123abcd'], { action: 'show', ref: '0123abcd' }],
    [['clear', 'long'], { action: 'clear', ref: undefined, side: 'long' }],
    [['clear', 'ETH/USDT:USDT', 'SHORT'], { action: 'clear', ref: 'ETH/USDT:USDT', side: 'short' }],
  ])('/sl %j', (args, expected) => {
    expect(parseProtectionArgs('sl', args)).toEqual(expected);
  });

  it.each([
    [['set', 'long', '44000'], [44000], [100]],
    [['set', 'long', '44000', '45000'], [44000, 45000], [50, 50]],
    // three prices, no sizes: thirds, the first takes the rest (34 + 33 + 33 = 100)
    [['set', 'long', '44000', '45000', '46000'], [44000, 45000, 46000], [34, 33, 33]],
    [['set', 'long', '44000', '45000', '30', '70'], [44000, 45000], [30, 70]],
    [['set', 'long', '1', '2', '3', '20', '30', '50'], [1, 2, 3], [20, 30, 50]],
  ])('/tp %j', (args, prices, sizes) => {
    expect(parseProtectionArgs('tp', args)).toEqual({ action: 'set', ref: undefined, side: 'long', prices, sizes });
  });

  it('refuses what it cannot read, with the usage', () => {
    expect(parseProtectionArgs('sl', ['set', 'long'])).toEqual({ action: 'error', message: `Prices must be positive numbers. ${SL_USAGE}` });
    expect(parseProtectionArgs('sl', ['set', 'long', 'abc'])).toEqual({ action: 'error', message: `Prices must be positive numbers. ${SL_USAGE}` });
    expect(parseProtectionArgs('sl', ['set', 'long', '1', '2'])).toEqual({ action: 'error', message: SL_USAGE });
    expect(parseProtectionArgs('sl', ['set', 'sideways', '1'])).toEqual({ action: 'error', message: SL_USAGE });
    expect(parseProtectionArgs('sl', ['drop'])).toEqual({ action: 'error', message: SL_USAGE });
    expect(parseProtectionArgs('tp', ['set', 'long', '1', '2', '3', '4', '5'])).toEqual({ action: 'error', message: TP_USAGE });
    expect(parseProtectionArgs('tp', ['clear'])).toEqual({ action: 'error', message: TP_USAGE });
  });
});
