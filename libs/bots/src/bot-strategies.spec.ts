import { describe, expect, it } from 'vitest';
import { storedSettings } from './bot-strategies';

describe('storedSettings: one spelling per key in what bots and presets store', () => {
  it("HYPERRSI stores the original's snake_case names, GRID its camelCase ones", () => {
    expect(storedSettings('hyperrsi', { rsiOversold: 25, leverage: 5, use_tp1: true })).toEqual({ rsi_oversold: 25, leverage: 5, use_tp1: true });
    expect(storedSettings('grid', { grid_num: 12, lower_price: 100, maxOpenOrders: 4 })).toEqual({ gridNum: 12, lowerPrice: 100, maxOpenOrders: 4 });
  });

  it('a patch over stored settings replaces a key whichever spelling each uses (as BotsService.updateSettings merges)', () => {
    const stored = { rsi_oversold: 30, leverage: 5 };
    expect(storedSettings('hyperrsi', { ...stored, ...storedSettings('hyperrsi', { rsiOversold: 25 }) })).toEqual({ rsi_oversold: 25, leverage: 5 });
    // a preset's settings under a request's (the later spelling wins)
    expect(storedSettings('hyperrsi', { ...{ rsi_oversold: 30 }, ...{ rsiOversold: 20 } })).toEqual({ rsi_oversold: 20 });
  });

  it('keeps unknown keys for the strategy to refuse', () => {
    expect(storedSettings('grid', { nope: 1 })).toEqual({ nope: 1 });
  });
});
