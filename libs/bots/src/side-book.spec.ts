import { describe, expect, it } from 'vitest';
import { foldSideFill, increasesSide, type SideBook } from './side-book';

const f = (side: 'buy' | 'sell', positionSide: 'long' | 'short', amount: number, price: number) => ({ side, positionSide, amount, price });

describe('foldSideFill: one average entry per side', () => {
  it('a buy adds to long, a sell to short; the opposite reduces', () => {
    expect([increasesSide(f('buy', 'long', 1, 1)), increasesSide(f('sell', 'long', 1, 1)), increasesSide(f('sell', 'short', 1, 1)), increasesSide(f('buy', 'short', 1, 1))]).toEqual([true, false, true, false]);
  });

  it('moves the average on increases and realizes against it on reductions (long and short)', () => {
    const long: SideBook = { qty: 0, avg: 0 };
    expect(foldSideFill(long, f('buy', 'long', 1, 100))).toBe(0);
    expect(foldSideFill(long, f('buy', 'long', 3, 120))).toBe(0);
    expect(long).toEqual({ qty: 4, avg: 115 }); // (100 + 360) / 4
    expect(foldSideFill(long, f('sell', 'long', 1, 125))).toBe(10); // (125 - 115) × 1
    expect(long).toEqual({ qty: 3, avg: 115 });
    const short: SideBook = { qty: 2, avg: 50 };
    expect(foldSideFill(short, f('buy', 'short', 2, 40))).toBe(20); // (50 - 40) × 2
    expect(short).toEqual({ qty: 0, avg: 0 });
  });

  it('a close of the summed lots leaves the side flat and realizes on its own amount (float dust)', () => {
    const p: SideBook = { qty: 0.006519999999999999, avg: 100 };
    expect(foldSideFill(p, f('sell', 'long', 0.00652, 200))).toBe((200 - 100) * 0.00652);
    expect(p).toEqual({ qty: 0, avg: 0 });
  });

  it('a reduction beyond the held size realizes only what was held (nothing when flat)', () => {
    const p: SideBook = { qty: 1, avg: 100 };
    expect(foldSideFill(p, f('sell', 'long', 3, 110))).toBe(10);
    expect(p).toEqual({ qty: 0, avg: 0 });
    expect(foldSideFill(p, f('sell', 'long', 1, 110))).toBe(0);
    expect(p).toEqual({ qty: 0, avg: 0 });
  });
});
