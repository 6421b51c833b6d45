import { describe, expect, it } from 'vitest';
import { StrategySettingsError } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { GRID_DEFAULTS, GRID_SETTINGS_DOC } from '../grid.settings';

function fields(input: unknown): string[] {
  try {
    gridStrategy.parseSettings(input);
  } catch (e) {
    expect(e).toBeInstanceOf(StrategySettingsError);
    expect((e as StrategySettingsError).code).toBe('STRATEGY_SETTINGS_INVALID');
    return (e as StrategySettingsError).issues.map((i) => i.field).sort();
  }
  return [];
}

describe('GRID settings validation', () => {
  it('fills the original defaults (§3.1): grid_num 20, long, leverage 10, initial capital 10, stops off', () => {
    const s = gridStrategy.parseSettings({});
    expect(s).toMatchObject({ mode: 'adaptive', gridNum: 20, direction: 'long', leverage: 10, investment: 10, stopLossPct: null, customStopMinutes: null, fastLimit: 0.5, slowLimit: 0.05, atrLength: 14, bandMult: 0.5, minDiff: 0.004, adxLength: 28, adxThreshold: 20 });
    expect(s).toEqual(GRID_DEFAULTS);
  });

  it('accepts the original snake_case names and spellings', () => {
    const s = gridStrategy.parseSettings({ grid_num: '30', enter_strategy: 'long-short', stop_loss: 2.5, custom_stop: 60, leverage: '20' });
    expect(s).toMatchObject({ gridNum: 30, direction: 'neutral', stopLossPct: 2.5, customStopMinutes: 60, leverage: 20 });
    expect(gridStrategy.parseSettings({ stop_loss: 0, custom_stop: 0 })).toMatchObject({ stopLossPct: null, customStopMinutes: null });
  });

  it('reports every bad field at once, with the original bounds', () => {
    expect(fields({ gridNum: 41, leverage: 126, stopLossPct: 0.05, customStopMinutes: 0.5, direction: 'up', bogus: 1 })).toEqual(
      ['bogus', 'customStopMinutes', 'direction', 'gridNum', 'leverage', 'stopLossPct'].sort(),
    );
    expect(fields({ gridNum: 0 })).toEqual(['gridNum']);
    expect(fields({ stopLossPct: 50.1 })).toEqual(['stopLossPct']);
    expect(fields({ leverage: 0 })).toEqual(['leverage']);
    expect(fields({ gridNum: 40, stopLossPct: 50, leverage: 125, customStopMinutes: 1 })).toEqual([]);
  });

  it('checks cross-field rules: range needs a valid range, stops on the right side, sizing values', () => {
    expect(fields({ mode: 'range' })).toEqual(['lowerPrice', 'upperPrice']);
    expect(fields({ mode: 'range', lowerPrice: 200, upperPrice: 100 })).toEqual(['upperPrice']);
    expect(fields({ mode: 'range', lowerPrice: 100, upperPrice: 200, gridNum: 10, stopLossPrice: 150, takeProfitPrice: 150 })).toEqual(['stopLossPrice', 'takeProfitPrice']);
    expect(fields({ mode: 'range', direction: 'short', lowerPrice: 100, upperPrice: 200, gridNum: 10, stopLossPrice: 90, takeProfitPrice: 210 })).toEqual(['stopLossPrice', 'takeProfitPrice']);
    expect(fields({ mode: 'range', lowerPrice: 100, upperPrice: 200, gridNum: 10, stopLossPrice: 90, takeProfitPrice: 210 })).toEqual([]);
    expect(fields({ sizingMode: 'quote_per_grid' })).toEqual(['quotePerGrid']);
    expect(fields({ sizingMode: 'base_per_grid', basePerGrid: -1 })).toEqual(['basePerGrid']);
    expect(fields({ gridNum: 3, amountList: [1, 2] })).toEqual(['amountList']);
    expect(fields({ slowLimit: 0.6 })).toEqual(['slowLimit']);
    expect(fields('x')).toEqual(['(root)']);
  });

  it('documents every setting with its type, default and meaning', () => {
    const names = GRID_SETTINGS_DOC.map((d) => d.name).sort();
    expect(names).toEqual(Object.keys(GRID_DEFAULTS).sort());
    for (const d of GRID_SETTINGS_DOC) {
      expect(d.description.length).toBeGreaterThan(10);
      expect(d.default).toEqual(GRID_DEFAULTS[d.name]);
    }
  });
});
