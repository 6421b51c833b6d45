import { describe, expect, it } from 'vitest';
import { StrategySettingsError } from '../../core/contract';
import { HYPERRSI_DEFAULT_SETTINGS, HYPERRSI_SETTINGS_SCHEMA, canonicalHyperrsiKeys, hyperrsiStartIssues, investmentFor, parseHyperrsiSettings } from '../hyperrsi.settings';

// Scenario: settings parsing — the original's defaults (§2.11, dual-side defaults), Korean aliases, and
// a StrategySettingsError listing EVERY bad field.
describe('scenario: HYPERRSI settings validation', () => {
  const issuesOf = (input: unknown) => {
    try {
      parseHyperrsiSettings(input);
    } catch (e) {
      expect(e).toBeInstanceOf(StrategySettingsError);
      expect((e as StrategySettingsError).code).toBe('STRATEGY_SETTINGS_INVALID');
      return (e as StrategySettingsError).issues;
    }
    throw new Error('expected a StrategySettingsError');
  };

  it('defaults to the original values', () => {
    const s = parseHyperrsiSettings({});
    expect(s).toMatchObject({
      investment: 20,
      leverage: 10,
      direction: 'both',
      entry_multiplier: 1,
      use_cooldown: true,
      cooldown_time: 300,
      use_trend_logic: true,
      trend_timeframe: 'auto',
      use_trend_close: true,
      rsi_length: 14,
      rsi_oversold: 30,
      rsi_overbought: 70,
      entry_option: 'cross_into',
      tp_option: 'percent',
      tp1_ratio: 30,
      tp2_ratio: 30,
      tp3_ratio: 40,
      tp1_value: 2,
      tp2_value: 3,
      tp3_value: 4,
      use_tp1: true,
      use_tp2: true,
      use_tp3: true,
      use_sl: false,
      use_sl_on_last: false,
      sl_option: 'percent',
      sl_value: 5,
      use_break_even: true,
      use_break_even_tp2: true,
      use_break_even_tp3: true,
      use_check_DCA_with_price: true,
      use_rsi_with_pyramiding: true,
      entry_criterion: 'average',
      pyramiding_type: '0',
      pyramiding_limit: 4,
      pyramiding_entry_type: 'percent',
      pyramiding_value: 3,
      trailing_stop_active: true,
      trailing_start_point: 'tp3',
      trailing_stop_type: 'fixed',
      use_trailing_stop_value_with_tp2_tp3_difference: false,
      trailing_stop_offset_value: 0.5,
      use_dual_side_entry: false,
      dual_side_entry_trigger: 3,
      dual_side_entry_ratio_type: 'percent_of_position',
      dual_side_entry_ratio_value: 30,
      dual_side_entry_tp_trigger_type: 'last_dca_on_position',
      dual_side_entry_tp_value: 0.3,
      close_main_on_hedge_tp: false,
      use_dual_sl: false,
      dual_side_entry_sl_trigger_type: 'percent',
      dual_side_entry_sl_value: 5,
      dual_side_pyramiding_limit: 1,
      activate_tp_sl_after_all_dca: false,
      dual_side_trend_close: false,
    });
    expect(HYPERRSI_DEFAULT_SETTINGS.investment).toBe(20);
  });

  it('describes every setting (type, default, meaning) and each default parses', () => {
    const names = HYPERRSI_SETTINGS_SCHEMA.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(parseHyperrsiSettings({})).sort()).toEqual([...names].sort());
    for (const d of HYPERRSI_SETTINGS_SCHEMA) {
      expect(d.description.length).toBeGreaterThan(10);
      expect(parseHyperrsiSettings({ [d.name]: d.default })[d.name]).toEqual(d.default);
      if (d.type === 'enum') expect(d.enum).toContain(d.default);
    }
  });

  it('accepts the original Korean values and the stored-string forms', () => {
    const s = parseHyperrsiSettings({
      direction: '롱',
      entry_option: '변곡돌파',
      tp_option: '금액 기준',
      sl_option: '가격 기준',
      pyramiding_entry_type: '금액 기준',
      entry_criterion: '마지막 진입',
      trailing_stop_type: 'TP2-TP3 차이 기준',
      trend_timeframe: '자동',
      use_dual_side_entry: 'true',
      dual_side_entry_trigger: '2',
      leverage: '20',
    });
    expect(s).toMatchObject({
      direction: 'long',
      entry_option: 'cross_out',
      tp_option: 'price',
      sl_option: 'price',
      pyramiding_entry_type: 'amount',
      entry_criterion: 'last_entry',
      trailing_stop_type: 'tp2_tp3_difference',
      trend_timeframe: 'auto',
      use_dual_side_entry: true,
      dual_side_entry_trigger: 2,
      leverage: 20,
    });
    expect(parseHyperrsiSettings({ trend_timeframe: '4H' }).trend_timeframe).toBe('4h');
    expect(parseHyperrsiSettings({ tp_option: 'ATR 기준' }).tp_option).toBe('atr');
  });

  it('lists every bad field at once', () => {
    const issues = issuesOf({
      leverage: 0,
      rsi_length: 2.5,
      direction: 'up',
      tp_option: 'foo',
      entry_multiplier: 9,
      cooldown_time: -1,
      use_sl: 'yes',
      trend_timeframe: '7m',
      pyramiding_limit: 11,
      sl_value: 0.01,
      symbol_investments: { 'BTC/USDT:USDT': 0 },
      not_a_setting: 1,
    });
    expect(issues.map((i) => i.field).sort()).toEqual(
      [
        'leverage',
        'rsi_length',
        'direction',
        'tp_option',
        'entry_multiplier',
        'cooldown_time',
        'use_sl',
        'trend_timeframe',
        'pyramiding_limit',
        'sl_value',
        'symbol_investments.BTC/USDT:USDT',
        'not_a_setting',
      ].sort(),
    );
    expect(issues.find((i) => i.field === 'leverage')!.message).toBe('must be >= 1 and <= 125');
  });

  it('checks fields against each other', () => {
    expect(issuesOf({ rsi_oversold: 70, rsi_overbought: 30 }).map((i) => i.field)).toEqual(['rsi_oversold']);
    expect(issuesOf({ use_tp2: false, trailing_start_point: 'tp2' }).map((i) => i.field)).toEqual(['trailing_start_point']);
    expect(issuesOf({ sl_value: 100 }).map((i) => i.field)).toEqual(['sl_value']);
    expect(parseHyperrsiSettings({ sl_option: 'price', sl_value: 500 }).sl_value).toBe(500);
    expect(issuesOf({ tp1_ratio: 0, tp2_ratio: 0, tp3_ratio: 0 }).map((i) => i.field)).toEqual(['tp1_ratio']);
    expect(issuesOf('nope').map((i) => i.field)).toEqual(['(root)']);
  });

  it('resolves the investment per symbol and reports the original 200 USDT start minimum', () => {
    const s = parseHyperrsiSettings({ investment: 30, eth_investment: 50, symbol_investments: { 'SOL/USDT:USDT': 70 } });
    expect(investmentFor(s, 'BTC/USDT:USDT')).toBe(30);
    expect(investmentFor(s, 'ETH/USDT:USDT')).toBe(50);
    expect(investmentFor(s, 'SOL/USDT:USDT')).toBe(70);
    expect(hyperrsiStartIssues(parseHyperrsiSettings({}), 'BTC/USDT:USDT')).toEqual([]);
    expect(hyperrsiStartIssues(parseHyperrsiSettings({ investment: 10 }), 'BTC/USDT:USDT').map((i) => i.field)).toEqual(['investment']);
  });

  it('accepts the camelCase spelling of every setting (the API convention) and returns the original names', () => {
    const snake = { use_trend_logic: false, tp1_ratio: 40, rsi_oversold: 25, btc_investment: 50, use_break_even_tp2: true, symbol_investments: { 'ETH/USDT:USDT': 30 } };
    const camel = { useTrendLogic: false, tp1Ratio: 40, rsiOversold: 25, btcInvestment: 50, useBreakEvenTp2: true, symbolInvestments: { 'ETH/USDT:USDT': 30 } };
    expect(parseHyperrsiSettings(camel)).toEqual(parseHyperrsiSettings(snake));
    expect(Object.keys(parseHyperrsiSettings(camel))).toContain('use_trend_logic');
    expect(canonicalHyperrsiKeys({ ...camel, unknownThing: 1 })).toEqual({ ...snake, unknownThing: 1 });
    expect(canonicalHyperrsiKeys({ useCheckDCAWithPrice: true })).toEqual({ use_check_DCA_with_price: true }); // no '_D' left over
    // every setting round-trips through its camelCase spelling
    for (const d of HYPERRSI_SETTINGS_SCHEMA) {
      const camelName = d.name.replace(/_([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
      expect(parseHyperrsiSettings({ [camelName]: d.default })[d.name]).toEqual(d.default);
      expect(Object.keys(canonicalHyperrsiKeys({ [camelName]: d.default }))).toEqual([d.name]);
    }
  });

  it('refuses a setting given in both spellings, and names the bad one as given', () => {
    expect(() => parseHyperrsiSettings({ rsi_oversold: 25, rsiOversold: 20 })).toThrow('rsiOversold: given twice (also as rsi_oversold)');
    expect(() => parseHyperrsiSettings({ rsiLength: 0 })).toThrow(/rsi_length: must be/);
    expect(() => parseHyperrsiSettings({ rsiLenght: 14 })).toThrow('rsiLenght: unknown setting');
  });
});
