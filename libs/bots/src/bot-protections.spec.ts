import { describe, expect, it } from 'vitest';
import type { Fill } from '@tb/strategies';
import { DEFAULT_PROTECTIONS, bookFill, checkProtections, emptyBooks, equityAt, parseProtections } from './bot-protections';

const T0 = Date.UTC(2024, 0, 1, 0, 0);
const H = 3_600_000;
const fill = (p: Partial<Fill>): Fill => ({ key: 'k', side: 'buy', positionSide: 'long', amount: 1, price: 100, fee: 0, time: T0, tag: 'entry', remaining: 0, ...p });

describe('bot protections', () => {
  it('parses: defaults, values, and every bad field named', () => {
    expect(parseProtections(undefined)).toEqual({ value: DEFAULT_PROTECTIONS, issues: [] });
    expect(parseProtections({ maxDrawdownPct: 20, stopLossGuard: { count: 3, windowMinutes: 60, pauseMinutes: 120 } }).value).toEqual({
      ...DEFAULT_PROTECTIONS,
      maxDrawdownPct: 20,
      stopLossGuard: { count: 3, windowMinutes: 60, pauseMinutes: 120 },
    });
    const bad = parseProtections({ maxDrawdownPct: -1, dailyLossLimit: 'x', stopLossGuard: { count: 0 }, pauseOnRejection: 1, nope: true });
    expect(bad.issues.map((i) => i.field).sort()).toEqual([
      'protections.dailyLossLimit',
      'protections.maxDrawdownPct',
      'protections.nope',
      'protections.pauseOnRejection',
      'protections.stopLossGuard',
    ]);
  });

  it('books a long: average entry, realized PnL and fees from fills', () => {
    // buy 1 @ 100 (fee 0.1), buy 1 @ 110 (fee 0.11): avg 105; sell 1.5 @ 120 (fee 0.18): realized (120-105)*1.5 = 22.5
    let b = emptyBooks();
    b = bookFill(b, fill({ price: 100, fee: 0.1 }));
    b = bookFill(b, fill({ price: 110, fee: 0.11 }));
    b = bookFill(b, fill({ side: 'sell', amount: 1.5, price: 120, fee: 0.18, tag: 'tp1' }));
    expect(b.long).toEqual({ qty: 0.5, avg: 105 });
    expect(b.realized).toBeCloseTo(22.5, 12);
    expect(b.fees).toBeCloseTo(0.39, 12);
    // equity of a 1,000 allocation at 130: 1000 + 22.5 - 0.39 + (130-105)*0.5 = 1034.61
    expect(equityAt(b, 1000, 130)).toBeCloseTo(1034.61, 10);
  });

  it('drawdown of the allocation from its peak pauses the bot', () => {
    // long 10 @ 100, allocation 1,000, limit 20%: peak at 110 (equity 1,100); at 88 equity is 880, (1100-880)/1000 = 22%
    const p = { ...DEFAULT_PROTECTIONS, maxDrawdownPct: 20 };
    let b = bookFill(emptyBooks(), fill({ amount: 10, price: 100 }));
    let r = checkProtections(b, p, 1000, 110, T0 + H);
    expect(r.verdict.pause).toBe(false);
    b = r.books;
    r = checkProtections(b, p, 1000, 91, T0 + 2 * H); // (1100-910)/1000 = 19%
    expect(r.verdict.pause).toBe(false);
    r = checkProtections(r.books, p, 1000, 88, T0 + 3 * H);
    expect(r.verdict).toEqual({ pause: true, reason: 'protection: drawdown 22.00% of the allocation >= 20%', until: null });
  });

  it('stop-loss guard: N stop-outs within the window pause for a while; older ones do not count', () => {
    const p = { ...DEFAULT_PROTECTIONS, stopLossGuard: { count: 2, windowMinutes: 60, pauseMinutes: 30 } };
    let b = emptyBooks();
    const stopOut = (t: number) => {
      b = bookFill(b, fill({ time: t }));
      b = bookFill(b, fill({ side: 'sell', price: 95, time: t, tag: 'sl' }));
    };
    stopOut(T0);
    stopOut(T0 + 2 * H); // 2 h later: the first is outside the 60 min window
    expect(checkProtections(b, p, 1000, 95, T0 + 2 * H).verdict.pause).toBe(false);
    stopOut(T0 + 2 * H + 10 * 60_000);
    const r = checkProtections(b, p, 1000, 95, T0 + 2 * H + 10 * 60_000);
    expect(r.verdict).toEqual({ pause: true, reason: 'protection: 2 stop-outs within 60 min', until: T0 + 2 * H + 40 * 60_000 });
  });

  it('daily loss limit counts the UTC day only and pauses until the next day', () => {
    // day 1: -30 realized; day 2 starts from there: -25 more reaches the 25 limit
    const p = { ...DEFAULT_PROTECTIONS, dailyLossLimit: 25 };
    let b = bookFill(emptyBooks(), fill({ time: T0 }));
    b = bookFill(b, fill({ side: 'sell', price: 70, time: T0 + H, tag: 'sl' })); // -30
    let r = checkProtections(b, p, 1000, 70, T0 + H);
    expect(r.verdict.pause).toBe(true); // 30 >= 25 on day 1
    const day2 = T0 + 24 * H;
    r = checkProtections(r.books, p, 1000, 70, day2); // a new day: 0 so far
    expect(r.verdict.pause).toBe(false);
    b = bookFill(r.books, fill({ time: day2 + H }));
    b = bookFill(b, fill({ side: 'sell', price: 75, time: day2 + 2 * H, tag: 'sl' })); // -25
    r = checkProtections(b, p, 1000, 75, day2 + 2 * H);
    expect(r.verdict).toEqual({ pause: true, reason: 'protection: daily loss 25.00 >= 25', until: day2 + 24 * H });
  });
});
