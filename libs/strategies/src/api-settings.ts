import type { SettingsIssue, StrategySettingsError } from './core/contract';
import { GRID_SETTINGS_DOC } from './grid/grid.settings';
import { HYPERRSI_SETTINGS_SCHEMA, camelSettingName } from './hyperrsi/hyperrsi.settings';

/**
 * The API speaks one naming convention for settings keys: camelCase (`useTrendLogic`, `gridNum`). Input accepts the
 * original's snake_case too (`use_trend_logic`, `grid_num`); storage and the decision journal keep each strategy's own
 * names (HYPERRSI the original's snake_case), so the mapping happens here, at the edge: every response that shows
 * settings, and every settings error, goes through these functions (docs/architecture.md §3, settings keys).
 */

/** A strategy's own setting name (either strategy) -> its API name; only names the strategies define. */
const API_NAME: ReadonlyMap<string, string> = new Map(
  [...HYPERRSI_SETTINGS_SCHEMA, ...GRID_SETTINGS_DOC].map((d) => d.name).filter((n) => camelSettingName(n) !== n).map((n) => [n, camelSettingName(n)]),
);

/** The API's name of a setting (`rsi_length` -> `rsiLength`); a name no strategy defines is returned as it is. */
export function apiSettingName(name: string): string {
  return API_NAME.get(name) ?? name;
}

/** Settings as the API returns them: each key under its API name. Values are untouched (a per-symbol map keeps its symbols). */
export function apiSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) out[apiSettingName(k)] = v;
  return out;
}

/** A strategy's setting names inside a sentence ("must be below rsi_overbought"). */
const NAME_IN_TEXT = new RegExp(`\\b(${[...API_NAME.keys()].sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');

/** A sentence with the settings it names under their API names ("must be below rsiOverbought"). */
export function apiSettingsText(text: string): string {
  return text.replace(NAME_IN_TEXT, (n) => apiSettingName(n));
}

/**
 * A settings issue as the API reports it: the field (and a nested field's head, `investment_per_symbol.BTC/USDT`)
 * and the settings a message names under their API names. A field the caller spelled (an unknown setting, a key given
 * twice) is reported as given, and so is the other spelling a "given twice" message quotes.
 */
export function apiSettingsIssue(issue: SettingsIssue): SettingsIssue {
  const dot = issue.field.indexOf('.');
  const head = dot < 0 ? issue.field : issue.field.slice(0, dot);
  const field = dot < 0 ? apiSettingName(head) : `${apiSettingName(head)}${issue.field.slice(dot)}`;
  const quotesSpelling = issue.message.startsWith('given twice') || issue.message === 'unknown setting';
  const message = quotesSpelling ? issue.message : apiSettingsText(issue.message);
  return { field: quotesSpelling ? issue.field : field, message };
}

/**
 * The message and per-field details of a 400 STRATEGY_SETTINGS_INVALID (the shape of every per-field 400): one
 * detail per bad setting as `settings.<field>`, under API names.
 */
export function apiSettingsErrorParts(err: StrategySettingsError): [message: string, details: { field: string; messages: string[] }[]] {
  const issues = err.issues.map(apiSettingsIssue);
  return [`invalid strategy settings: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues.map((i) => ({ field: `settings.${i.field}`, messages: [i.message] }))];
}
