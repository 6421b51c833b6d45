import { StrategySettingsError, type SettingsIssue } from './contract';
import { parseTimeframe } from './timeframe';

/**
 * The one settings-schema helper both strategies use: a setting is described once (type, default, range, enum,
 * accepted spellings, documentation) and the same code validates and normalises it, reports every bad field with a
 * message a trader can act on, and feeds the API docs and the Telegram settings menu.
 */
export type SettingType = 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'timeframe' | 'record' | 'number[]';

/** One setting: a JSON-schema-like description for API docs, Telegram menus and validation. */
export interface SettingSpec<Name extends string = string> {
  readonly name: Name;
  readonly type: SettingType;
  readonly default: unknown;
  readonly description: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** min is exclusive (value must be strictly greater) */
  readonly exclusiveMin?: boolean;
  readonly enum?: readonly string[];
  /** accepted input spellings of a value (e.g. the original's Korean values) and the value they normalise to */
  readonly aliases?: Readonly<Record<string, string>>;
  readonly nullable?: boolean;
  /** 0 (the original's "off") means null */
  readonly zeroMeansNull?: boolean;
  /** for 'record': the value type of each entry */
  readonly recordValue?: 'number' | 'execution_mode';
}

function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return undefined;
}

function parseNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The allowed range in words: ">= 1 and <= 125", "> 0". */
export function settingRangeText(d: SettingSpec): string {
  const lo = d.min === undefined ? '' : `${d.exclusiveMin ? '>' : '>='} ${d.min}`;
  const hi = d.max === undefined ? '' : `<= ${d.max}`;
  return [lo, hi].filter(Boolean).join(' and ');
}

function inRange(d: SettingSpec, n: number): boolean {
  if (d.min !== undefined && (d.exclusiveMin ? n <= d.min : n < d.min)) return false;
  if (d.max !== undefined && n > d.max) return false;
  return true;
}

/** Parses one value against its spec; pushes an issue and returns undefined when invalid. */
export function parseSettingValue(d: SettingSpec, raw: unknown, field: string, issues: SettingsIssue[]): unknown {
  if (raw === null) {
    if (d.nullable) return null;
    issues.push({ field, message: 'must not be null' });
    return undefined;
  }
  if (d.zeroMeansNull && (raw === 0 || raw === '0')) return null;
  switch (d.type) {
    case 'boolean': {
      const b = parseBool(raw);
      if (b === undefined) issues.push({ field, message: 'must be a boolean' });
      return b;
    }
    case 'number':
    case 'integer': {
      const n = parseNum(raw);
      if (n === undefined) {
        issues.push({ field, message: `must be a ${d.type === 'integer' ? 'whole ' : ''}number` });
        return undefined;
      }
      if (d.type === 'integer' && !Number.isInteger(n)) {
        issues.push({ field, message: 'must be a whole number' });
        return undefined;
      }
      if (!inRange(d, n)) {
        issues.push({ field, message: `must be ${settingRangeText(d)}` });
        return undefined;
      }
      return n;
    }
    case 'enum': {
      const s = typeof raw === 'string' ? raw.trim() : raw;
      if (typeof s === 'string') {
        const alias = d.aliases?.[s];
        if (alias !== undefined) return alias;
        if (d.enum!.includes(s)) return s;
      }
      issues.push({ field, message: `must be one of ${d.enum!.join(', ')}` });
      return undefined;
    }
    case 'timeframe': {
      if (typeof raw === 'string') {
        const s = raw.trim();
        if (s === 'auto' || d.aliases?.[s] === 'auto') return 'auto';
        try {
          return parseTimeframe(s);
        } catch {
          /* fall through */
        }
      }
      issues.push({ field, message: 'must be "auto" or a timeframe such as 15m, 1h, 4h' });
      return undefined;
    }
    case 'string': {
      if (typeof raw === 'string') return raw;
      issues.push({ field, message: 'must be a string' });
      return undefined;
    }
    case 'number[]': {
      if (!Array.isArray(raw)) {
        issues.push({ field, message: 'must be an array of numbers' });
        return undefined;
      }
      const arr: number[] = [];
      for (const x of raw) {
        const n = parseNum(x);
        if (n === undefined || !(n > 0)) {
          issues.push({ field, message: 'every entry must be a number > 0' });
          return undefined;
        }
        arr.push(n);
      }
      return arr;
    }
    case 'record': {
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        issues.push({ field, message: 'must be an object' });
        return undefined;
      }
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const key of Object.keys(raw).sort()) {
        const v = (raw as Record<string, unknown>)[key];
        if (d.recordValue === 'execution_mode') {
          if (v === 'api_direct' || v === 'signal_bot') out[key] = v;
          else {
            issues.push({ field: `${field}.${key}`, message: 'must be api_direct or signal_bot' });
            ok = false;
          }
        } else {
          const n = parseNum(v);
          if (n === undefined || !inRange(d, n)) {
            issues.push({ field: `${field}.${key}`, message: `must be a number ${settingRangeText(d)}` });
            ok = false;
          } else out[key] = n;
        }
      }
      return ok ? out : undefined;
    }
  }
}

/** A strategy's settings schema: its specs in display order and the other spellings of its keys. */
export interface SettingsSchema<S> {
  readonly specs: readonly SettingSpec<Extract<keyof S, string>>[];
  /** another spelling of a key (the original's snake_case for GRID, camelCase for HYPERRSI) -> the key */
  readonly keyAliases: ReadonlyMap<string, Extract<keyof S, string>>;
}

/** The values every setting takes when not given (each spec's default). */
export function settingsDefaults<S>(schema: SettingsSchema<S>): S {
  return Object.freeze(Object.fromEntries(schema.specs.map((d) => [d.name, d.default]))) as unknown as S;
}

/** Raw settings under the schema's own key names (other spellings renamed; values untouched, unknown keys kept). */
export function canonicalSettingKeys<S>(schema: SettingsSchema<S>, raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[schema.keyAliases.get(k) ?? k] = v;
  return out;
}

/**
 * Validates and normalises raw settings field by field (missing keys take the defaults): unknown keys, a key given
 * in two spellings, and every bad value become issues; a strategy adds its cross-field rules with `valid()` (a rule
 * about a field that already failed is not repeated) and then calls `finish()`, which throws StrategySettingsError
 * listing every issue, or returns the frozen settings.
 */
export function readSettings<S>(
  schema: SettingsSchema<S>,
  input: unknown,
): { readonly settings: S; readonly issues: SettingsIssue[]; valid(field: keyof S & string): boolean; finish(): S } {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new StrategySettingsError([{ field: '(root)', message: 'settings must be an object' }]);
  const known = new Set<string>(schema.specs.map((d) => d.name));
  const issues: SettingsIssue[] = [];
  const raw: Record<string, unknown> = {};
  const spelledAs: Record<string, string> = {};
  for (const [key, v] of Object.entries(input as Record<string, unknown>)) {
    const name = known.has(key) ? key : schema.keyAliases.get(key);
    if (name === undefined) issues.push({ field: key, message: 'unknown setting' });
    else if (raw[name] !== undefined && v !== undefined) issues.push({ field: key, message: `given twice (also as ${spelledAs[name]})` });
    else if (v !== undefined) {
      raw[name] = v;
      spelledAs[name] = key;
    }
  }
  const out: Record<string, unknown> = {};
  for (const d of schema.specs) {
    const v = raw[d.name];
    out[d.name] = v === undefined ? d.default : parseSettingValue(d, v, d.name, issues);
  }
  const settings = out as unknown as S;
  return {
    settings,
    issues,
    valid: (field) => !issues.some((i) => i.field === field),
    finish: () => {
      if (issues.length > 0) throw new StrategySettingsError(issues);
      // a copy by spread (same keys, same order): the keyed stores above can leave `out` a dictionary-mode object
      // (GRID's 33 keys did), whose every property read in a strategy's per-candle code is a generic lookup
      return Object.freeze({ ...settings });
    },
  };
}
