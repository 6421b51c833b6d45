import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@tb/common';
import { candlesInRange, marketSpecOf, normalizeBacktestRequest } from './backtest-run.request';
import { downsampleEquity } from './backtest-run.executor';
import { InvalidBacktestSettingsError } from './backtest-runs.errors';

const base = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: 0, to: 3_600_000 * 10 } as const;

describe('normalizeBacktestRequest (defaults shared with `tb backtest`)', () => {
  it('hyperrsi defaults to a perp of the symbol with leverage from the settings', () => {
    const r = normalizeBacktestRequest({ ...base, strategy: 'hyperrsi', settings: { leverage: 7 } });
    expect(r).toMatchObject({ marketType: 'perp', leverage: 7, initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005 });
    expect(r).toMatchObject({ maintenanceMarginRate: 0.005, limitFill: 'through', tickSize: 0.01, amountStep: 0.0001, minNotional: 5 });
    expect(marketSpecOf(r)).toEqual({ symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 5 });
  });

  it('an explicit leverage wins over settings.leverage; spot always runs at 1x', () => {
    expect(normalizeBacktestRequest({ ...base, strategy: 'hyperrsi', settings: { leverage: 7 }, leverage: 3 }).leverage).toBe(3);
    const spot = normalizeBacktestRequest({ ...base, strategy: 'grid', leverage: 3 });
    expect(spot).toMatchObject({ marketType: 'spot', leverage: 1 });
    expect(marketSpecOf(spot).symbol).toBe('BTC/USDT');
    const perpGrid = normalizeBacktestRequest({ ...base, strategy: 'grid', symbol: 'ETH/USDC:USDC' });
    expect(perpGrid.marketType).toBe('perp');
    expect(marketSpecOf(perpGrid).symbol).toBe('ETH/USDC:USDC');
  });

  it('settings are checked by the strategy: one detail per bad field, prefixed settings.', () => {
    let err: unknown;
    try {
      normalizeBacktestRequest({ ...base, strategy: 'hyperrsi', settings: { rsi_length: 0, leverage: 1000 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidBacktestSettingsError);
    const e = err as InvalidBacktestSettingsError;
    expect(e.code).toBe(ErrorCode.StrategySettingsInvalid);
    expect((e.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['settings.leverage', 'settings.rsiLength']);
  });

  it('candlesInRange counts open times in the half-open range', () => {
    expect(candlesInRange({ from: 0, to: 3_600_000 * 10, timeframe: '1h' })).toBe(10);
    expect(candlesInRange({ from: 0, to: 3_600_000 * 10 + 1, timeframe: '1h' })).toBe(11);
    expect(candlesInRange({ from: 0, to: 60_000 * 1440, timeframe: '1m' })).toBe(1440);
  });
});

describe('downsampleEquity', () => {
  it('keeps every point when the curve is short', () => {
    const r = { equityTime: new Float64Array([1, 2, 3]), equityValue: new Float64Array([100, 90, 110]), drawdownPct: new Float64Array([0, -10, 0]) };
    expect(downsampleEquity(r, 5)).toEqual([
      { time: 1, equity: 100, drawdownPct: 0 },
      { time: 2, equity: 90, drawdownPct: -10 },
      { time: 3, equity: 110, drawdownPct: 0 },
    ]);
  });

  it('buckets: first time, last equity, deepest drawdown; the last point is the final equity', () => {
    // 7 points into at most 3 → buckets of ceil(7/3) = 3: [0..2], [3..5], [6]
    const r = {
      equityTime: new Float64Array([10, 20, 30, 40, 50, 60, 70]),
      equityValue: new Float64Array([100, 80, 90, 120, 60, 66, 130]),
      drawdownPct: new Float64Array([0, -20, -10, 0, -50, -45, 0]),
    };
    expect(downsampleEquity(r, 3)).toEqual([
      { time: 10, equity: 90, drawdownPct: -20 },
      { time: 40, equity: 66, drawdownPct: -50 },
      { time: 70, equity: 130, drawdownPct: 0 },
    ]);
  });
});
