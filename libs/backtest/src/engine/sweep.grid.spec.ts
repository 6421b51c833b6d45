import { describe, expect, it } from 'vitest';
import { expandSweep, parseSweepSpec, rankResults } from './sweep.grid';

describe('sweep grid', () => {
  it('parses ranges with steps and lists', () => {
    expect(parseSweepSpec('rsi_oversold=20..35:5,pyramiding_limit=2..5,mode=a|b,flag=true|false,tp=0.5..1.5:0.5')).toEqual([
      { name: 'rsi_oversold', values: [20, 25, 30, 35] },
      { name: 'pyramiding_limit', values: [2, 3, 4, 5] },
      { name: 'mode', values: ['a', 'b'] },
      { name: 'flag', values: [true, false] },
      { name: 'tp', values: [0.5, 1, 1.5] },
    ]);
  });

  it('rejects malformed specs and oversized grids', () => {
    expect(() => parseSweepSpec('x')).toThrow(/bad sweep item/);
    expect(() => parseSweepSpec('x=5..1')).toThrow(/bad range/);
    expect(() => parseSweepSpec('x=1..3,x=1|2')).toThrow(/swept twice/);
    expect(() => parseSweepSpec('a=1..100,b=1..200')).toThrow(/20000 combinations/);
  });

  it('expands the cartesian product over the base settings', () => {
    const combos = expandSweep(parseSweepSpec('a=1..2,b=x|y'), { a: 0, c: 9 });
    expect(combos).toEqual([
      { a: 1, b: 'x', c: 9 },
      { a: 1, b: 'y', c: 9 },
      { a: 2, b: 'x', c: 9 },
      { a: 2, b: 'y', c: 9 },
    ]);
  });

  it('ranks best first, nulls last, drawdown ascending', () => {
    const m = (sharpe: number | null, maxDrawdownPct: number, totalReturnPct = 0) => ({ metrics: { sharpe, maxDrawdownPct, totalReturnPct } as never });
    const rows = [m(1, 5), m(null, 1), m(2, 9), m(1, 3, 7)];
    expect(rankResults(rows, 'sharpe').map((r) => rows.indexOf(r))).toEqual([2, 3, 0, 1]);
    expect(rankResults(rows, 'maxDrawdownPct').map((r) => rows.indexOf(r))).toEqual([1, 3, 0, 2]);
  });
});
