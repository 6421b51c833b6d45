import { describe, expect, it } from 'vitest';
import { StrategySettingsError, type SettingsIssue } from './contract';
import { parseSettingValue, readSettings, type SettingSpec, type SettingsSchema } from './settings-schema';
import { parseGridSettings } from '../grid/grid.settings';
import { parseHyperrsiSettings } from '../hyperrsi/hyperrsi.settings';

interface Demo {
  lev: number;
  side: string;
  off: number | null;
}
const SCHEMA: SettingsSchema<Demo> = {
  specs: [
    { name: 'lev', type: 'integer', default: 10, min: 1, max: 125, description: 'leverage' },
    { name: 'side', type: 'enum', enum: ['long', 'short', 'both'], aliases: { 'long-short': 'both' }, default: 'long', description: 'side' },
    { name: 'off', type: 'number', default: null, nullable: true, zeroMeansNull: true, min: 0, exclusiveMin: true, description: 'off' },
  ],
  keyAliases: new Map([['leverage', 'lev']]),
};

const issuesOf = (input: unknown): readonly SettingsIssue[] => {
  try {
    readSettings(SCHEMA, input).finish();
    return [];
  } catch (e) {
    return (e as StrategySettingsError).issues;
  }
};

describe('the one settings-schema helper (both strategies)', () => {
  it('fills defaults, takes other key spellings and value aliases, reads 0 as off where the spec says so', () => {
    expect(readSettings(SCHEMA, { leverage: '20', side: 'long-short', off: 0 }).finish()).toEqual({ lev: 20, side: 'both', off: null });
    expect(readSettings(SCHEMA, undefined).finish()).toEqual({ lev: 10, side: 'long', off: null });
  });

  it('reports every bad field at once, with the range in words', () => {
    expect(issuesOf({ lev: 1.5, side: 'up', off: -1, x: 1 })).toEqual([
      { field: 'x', message: 'unknown setting' },
      { field: 'lev', message: 'must be a whole number' },
      { field: 'side', message: 'must be one of long, short, both' },
      { field: 'off', message: 'must be > 0' },
    ]);
    expect(issuesOf({ lev: 126 })).toEqual([{ field: 'lev', message: 'must be >= 1 and <= 125' }]);
    expect(issuesOf({ lev: null })).toEqual([{ field: 'lev', message: 'must not be null' }]);
    expect(issuesOf({ lev: 5, leverage: 6 })).toEqual([{ field: 'leverage', message: 'given twice (also as lev)' }]);
    expect(issuesOf([1])).toEqual([{ field: '(root)', message: 'settings must be an object' }]);
  });

  it('booleans read the same for both strategies (true/false, "1"/"0", 1/0)', () => {
    const issues: SettingsIssue[] = [];
    const spec: SettingSpec = { name: 'b', type: 'boolean', default: false, description: '' };
    expect([true, 'true', '1', 1, false, 'false', '0', 0].map((v) => parseSettingValue(spec, v, 'b', issues))).toEqual([true, true, true, true, false, false, false, false]);
    expect(issues).toEqual([]);
    expect(parseHyperrsiSettings({ use_trend_logic: 0 }).use_trend_logic).toBe(false);
    expect(parseGridSettings({ useRegimeFilter: '0' }).useRegimeFilter).toBe(false);
  });

  it('GRID and HYPERRSI word the same mistake the same way', () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
        return '';
      } catch (e) {
        return (e as StrategySettingsError).issues.map((i) => i.message).join('; ');
      }
    };
    expect(msg(() => parseGridSettings({ leverage: 200 }))).toBe('must be >= 1 and <= 125');
    expect(msg(() => parseHyperrsiSettings({ leverage: 200 }))).toBe('must be >= 1 and <= 125');
    expect(msg(() => parseGridSettings({ gridNum: 2.5 }))).toBe('must be a whole number');
    expect(msg(() => parseGridSettings({ grid_num: 5, gridNum: 6 }))).toBe('given twice (also as grid_num)');
  });
});
