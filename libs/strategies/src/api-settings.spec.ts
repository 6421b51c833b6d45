import { describe, expect, it } from 'vitest';
import { apiSettingName, apiSettings, apiSettingsErrorParts, apiSettingsIssue, apiSettingsText } from './api-settings';
import { StrategySettingsError } from './core/contract';
import { hyperrsiStrategy } from './hyperrsi';
import { gridStrategy } from './grid';

const issuesOf = (parse: (raw: unknown) => unknown, raw: unknown): readonly { field: string; message: string }[] => {
  try {
    parse(raw);
    return [];
  } catch (e) {
    return (e as StrategySettingsError).issues;
  }
};

describe('settings keys at the API edge: one convention (camelCase) for both strategies', () => {
  it('names every HYPERRSI setting in camelCase and leaves GRID names and unknown keys alone', () => {
    expect(apiSettingName('use_trend_logic')).toBe('useTrendLogic');
    expect(apiSettingName('tp1_ratio')).toBe('tp1Ratio');
    expect(apiSettingName('use_check_DCA_with_price')).toBe('useCheckDCAWithPrice');
    expect(apiSettingName('use_trailing_stop_value_with_tp2_tp3_difference')).toBe('useTrailingStopValueWithTp2Tp3Difference');
    expect(apiSettingName('gridNum')).toBe('gridNum');
    expect(apiSettingName('leverage')).toBe('leverage');
    expect(apiSettingName('not_a_setting')).toBe('not_a_setting');
  });

  it('renames top-level keys only: a per-symbol map keeps its symbols, values are untouched', () => {
    const stored = { rsi_length: 14, use_trend_logic: false, symbol_investments: { 'BTC/USDT:USDT': 30 }, leverage: 10, trend_timeframe: 'auto' };
    expect(apiSettings(stored)).toEqual({ rsiLength: 14, useTrendLogic: false, symbolInvestments: { 'BTC/USDT:USDT': 30 }, leverage: 10, trendTimeframe: 'auto' });
    expect(apiSettings({ gridNum: 20, stopLossPct: null })).toEqual({ gridNum: 20, stopLossPct: null });
  });

  it('every HYPERRSI setting read back through the API names parses to the same settings (a response is valid input)', () => {
    const parsed = hyperrsiStrategy.parseSettings({ rsi_length: 21, use_dual_side_entry: true, use_check_DCA_with_price: false }) as unknown as Record<string, unknown>;
    const api = apiSettings(parsed);
    expect(Object.keys(api).filter((k) => k.includes('_'))).toEqual([]);
    expect(hyperrsiStrategy.parseSettings(api)).toEqual(parsed);
  });

  it('reports a bad field and the settings a message names under API names; a spelling the caller chose stays as given', () => {
    const hyper = (raw: unknown) => hyperrsiStrategy.parseSettings(raw);
    expect(issuesOf(hyper, { rsi_oversold: 80, rsi_overbought: 70 }).map(apiSettingsIssue)).toEqual([{ field: 'rsiOversold', message: 'must be below rsiOverbought' }]);
    expect(issuesOf(hyper, { rsiLength: 'x' }).map(apiSettingsIssue)).toEqual([{ field: 'rsiLength', message: 'must be a whole number' }]);
    expect(issuesOf(hyper, { rsi_lenght: 14 }).map(apiSettingsIssue)).toEqual([{ field: 'rsi_lenght', message: 'unknown setting' }]);
    expect(issuesOf(hyper, { rsiLength: 14, rsi_length: 15 }).map(apiSettingsIssue)).toEqual([{ field: 'rsi_length', message: 'given twice (also as rsiLength)' }]);
    expect(apiSettingsIssue({ field: 'symbol_investments.BTC/USDT:USDT', message: 'must be a number > 0' })).toEqual({ field: 'symbolInvestments.BTC/USDT:USDT', message: 'must be a number > 0' });
    expect(apiSettingsText('is not used (use_trailing_stop_value_with_tp2_tp3_difference is false)')).toBe('is not used (useTrailingStopValueWithTp2Tp3Difference is false)');
  });

  it('builds the 400 of both strategies the same way: settings.<apiName> details and a message under API names', () => {
    const [message, details] = apiSettingsErrorParts(new StrategySettingsError([{ field: 'tp1_ratio', message: 'the active TP ratios must not all be 0' }]));
    expect(message).toBe('invalid strategy settings: tp1Ratio: the active TP ratios must not all be 0');
    expect(details).toEqual([{ field: 'settings.tp1Ratio', messages: ['the active TP ratios must not all be 0'] }]);
    const grid = issuesOf((raw) => gridStrategy.parseSettings(raw), { grid_num: 'x' });
    expect(apiSettingsErrorParts(new StrategySettingsError(grid))[1]).toEqual([{ field: 'settings.gridNum', messages: ['must be a whole number'] }]);
  });
});
