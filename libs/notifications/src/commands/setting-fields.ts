import { GRID_SETTINGS_DOC, HYPERRSI_SETTINGS_SCHEMA, apiSettingName, apiSettingsText, type SettingSpec } from '@tb/strategies';

export type StrategyName = 'hyperrsi' | 'grid';

/** One editable setting as the settings menu shows it (the strategy's own descriptor list, in its order). */
export interface SettingField {
  /** the strategy's own name: the key of its parsed settings */
  readonly key: string;
  /** the API's (camelCase) name: shown, and the key a change is sent under */
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'json';
  readonly enum?: readonly string[];
  readonly nullable: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
}

/** A setting as the menu edits it: records and lists are typed as JSON, a timeframe as text. */
const field = (d: SettingSpec): SettingField => ({
  key: d.name,
  name: apiSettingName(d.name),
  type: d.type === 'record' || d.type === 'number[]' ? 'json' : d.type === 'timeframe' ? 'string' : d.type,
  enum: d.enum,
  nullable: d.nullable === true,
  min: d.min,
  max: d.max,
  description: apiSettingsText(d.description),
});

const HYPERRSI: readonly SettingField[] = HYPERRSI_SETTINGS_SCHEMA.map(field);
const GRID: readonly SettingField[] = GRID_SETTINGS_DOC.map(field);

/** The settings of a strategy; a button carries the index into this list. */
export function settingFields(strategy: StrategyName): readonly SettingField[] {
  return strategy === 'grid' ? GRID : HYPERRSI;
}

/** The choices a button can set directly (booleans, enums); null for a value the trader types. */
export function fieldChoices(f: SettingField): readonly unknown[] | null {
  if (f.type === 'boolean') return [true, false];
  if (f.type === 'enum' && f.enum) return f.nullable ? [...f.enum, null] : f.enum;
  return null;
}

/**
 * A typed answer as the setting's value: numbers as numbers, `null`/`none` for a nullable setting, JSON for lists and
 * maps. What cannot be read is passed on as typed, so that the strategy's validation answers in its own words.
 */
export function parseTypedValue(f: SettingField, text: string): unknown {
  const t = text.trim();
  if (f.nullable && /^(null|none|-)$/i.test(t)) return null;
  switch (f.type) {
    case 'number':
    case 'integer':
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
    case 'boolean':
      return /^(true|on|yes)$/i.test(t) ? true : /^(false|off|no)$/i.test(t) ? false : t;
    case 'json':
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    case 'enum':
    case 'string':
      return t;
  }
}

/** What to type, in words: "a number ≥ 1 and ≤ 125", "one of: long, short", "null for none". */
export function fieldHint(f: SettingField): string {
  const range = [f.min !== undefined ? `≥ ${f.min}` : '', f.max !== undefined ? `≤ ${f.max}` : ''].filter(Boolean).join(' and ');
  let what: string;
  switch (f.type) {
    case 'integer':
      what = `a whole number${range ? ` ${range}` : ''}`;
      break;
    case 'number':
      what = `a number${range ? ` ${range}` : ''}`;
      break;
    case 'boolean':
      what = 'true or false';
      break;
    case 'enum':
      what = `one of: ${(f.enum ?? []).join(', ')}`;
      break;
    case 'json':
      what = 'a JSON value (a list like [10, 20] or a map like {"BTC/USDT:USDT": 50})';
      break;
    case 'string':
      what = 'text';
  }
  return f.nullable ? `${what}, or "none"` : what;
}
