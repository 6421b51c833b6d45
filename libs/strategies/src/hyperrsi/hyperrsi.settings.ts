import type { SettingsIssue } from '../core/contract';
import type { Timeframe } from '../core/timeframe';
import { canonicalSettingKeys, readSettings, settingsDefaults, type SettingSpec, type SettingsSchema } from '../core/settings-schema';

/**
 * HYPERRSI user settings (docs/strategy-rules.md §2.11 and the dual-side hash of §2.9).
 *
 * Keys keep the original names so stored settings and presets carry over. Enum values are English; the
 * original Korean values are accepted as aliases and normalised by `parseHyperrsiSettings`.
 */

export type EntryMode = 'cross_into' | 'turn_inside' | 'cross_out' | 'in_zone';
export type Direction = 'long' | 'short' | 'both';
/** TP / SL distance: percent of the base price, a fixed price distance, or a multiple of ATR(14). */
export type PriceOffsetMode = 'percent' | 'price' | 'atr';
/** DCA level distance: percent, fixed quote amount (price distance) or ATR(14) multiple. */
export type DcaMode = 'percent' | 'amount' | 'atr';
export type EntryCriterion = 'average' | 'last_entry';
export type TpLevel = 'tp1' | 'tp2' | 'tp3';
export type TrailingStopType = 'fixed' | 'tp2_tp3_difference';
export type ExecutionMode = 'api_direct' | 'signal_bot';
export type EntryAmountOption = 'usdt' | 'percent' | 'count';
export type HedgeRatioType = 'percent_of_position' | 'fixed';
export type HedgeTpType = 'do_not_close' | 'existing_position' | 'last_dca_on_position' | 'percent';
export type HedgeSlType = 'existing_position' | 'percent';

export interface HyperrsiSettings {
  // sizing
  readonly investment: number;
  readonly btc_investment: number | null;
  readonly eth_investment: number | null;
  readonly sol_investment: number | null;
  readonly symbol_investments: Readonly<Record<string, number>>;
  readonly entry_amount_option: EntryAmountOption;
  readonly leverage: number;
  readonly entry_multiplier: number;
  // execution (carried for the execution layer; the pure strategy does not branch on them)
  readonly execution_mode: ExecutionMode;
  readonly signal_bot_token: string | null;
  readonly signal_bot_webhook_url: string | null;
  readonly symbol_execution_modes: Readonly<Record<string, ExecutionMode>>;
  // entry
  readonly direction: Direction;
  readonly entry_option: EntryMode;
  readonly rsi_length: number;
  readonly rsi_oversold: number;
  readonly rsi_overbought: number;
  readonly use_cooldown: boolean;
  readonly cooldown_time: number;
  // trend
  readonly use_trend_logic: boolean;
  readonly trend_timeframe: Timeframe | 'auto';
  readonly use_trend_close: boolean;
  // take profit
  readonly tp_option: PriceOffsetMode;
  readonly use_tp1: boolean;
  readonly use_tp2: boolean;
  readonly use_tp3: boolean;
  readonly tp1_ratio: number;
  readonly tp2_ratio: number;
  readonly tp3_ratio: number;
  readonly tp1_value: number;
  readonly tp2_value: number;
  readonly tp3_value: number;
  // stop loss / break-even
  readonly use_sl: boolean;
  readonly use_sl_on_last: boolean;
  readonly sl_option: PriceOffsetMode;
  readonly sl_value: number;
  /** What the stop-loss distance is measured from after a DCA (docs/adr/0012-stop-loss-after-dca.md). */
  readonly sl_reference: 'average' | 'entry';
  readonly use_break_even: boolean;
  readonly use_break_even_tp2: boolean;
  readonly use_break_even_tp3: boolean;
  // pyramiding / DCA
  readonly pyramiding_limit: number;
  readonly pyramiding_entry_type: DcaMode;
  readonly pyramiding_value: number;
  readonly entry_criterion: EntryCriterion;
  readonly use_check_DCA_with_price: boolean;
  readonly use_rsi_with_pyramiding: boolean;
  readonly pyramiding_type: '0' | '1' | '2';
  // trailing stop
  readonly trailing_stop_active: boolean;
  readonly trailing_start_point: TpLevel;
  readonly trailing_stop_type: TrailingStopType;
  readonly use_trailing_stop_value_with_tp2_tp3_difference: boolean;
  readonly trailing_stop_offset_value: number;
  // dual-side (hedge) entry
  readonly use_dual_side_entry: boolean;
  readonly dual_side_entry_trigger: number;
  readonly dual_side_entry_ratio_type: HedgeRatioType;
  readonly dual_side_entry_ratio_value: number;
  readonly dual_side_entry_tp_trigger_type: HedgeTpType;
  readonly dual_side_entry_tp_value: number;
  readonly close_main_on_hedge_tp: boolean;
  readonly use_dual_sl: boolean;
  readonly dual_side_entry_sl_trigger_type: HedgeSlType;
  readonly dual_side_entry_sl_value: number;
  readonly dual_side_pyramiding_limit: number;
  readonly activate_tp_sl_after_all_dca: boolean;
  readonly dual_side_trend_close: boolean;
}

/** A setting of HYPERRSI, described with the one settings-schema helper (core/settings-schema.ts). */
export type SettingDescriptor = SettingSpec<keyof HyperrsiSettings>;

const OFFSET_ALIASES = { '퍼센트 기준': 'percent', '가격 기준': 'price', '금액 기준': 'price', amount: 'price', 'ATR 기준': 'atr' };
const DCA_ALIASES = { '퍼센트 기준': 'percent', '금액 기준': 'amount', '가격 기준': 'amount', price: 'amount', 'ATR 기준': 'atr' };
const TP_LEVELS = ['tp1', 'tp2', 'tp3'] as const;

/** Every setting, in display order. Defaults are the original's (`DEFAULT_PARAMS_SETTINGS`, `DEFAULT_DUAL_SIDE_ENTRY_SETTINGS`). */
export const HYPERRSI_SETTINGS_SCHEMA: readonly SettingDescriptor[] = [
  { name: 'investment', type: 'number', default: 20, min: 1, max: 1e6, unit: 'quote', description: 'Margin per entry in quote currency (USDT); the order value is investment x leverage.' },
  { name: 'btc_investment', type: 'number', default: null, nullable: true, min: 1, max: 1e6, unit: 'quote', description: 'Override of `investment` for BTC markets (null = use `investment`; the original default 20 equals it).' },
  { name: 'eth_investment', type: 'number', default: null, nullable: true, min: 1, max: 1e6, unit: 'quote', description: 'Override of `investment` for ETH markets (null = use `investment`).' },
  { name: 'sol_investment', type: 'number', default: null, nullable: true, min: 1, max: 1e6, unit: 'quote', description: 'Override of `investment` for SOL markets (null = use `investment`).' },
  { name: 'symbol_investments', type: 'record', recordValue: 'number', default: Object.freeze({}), min: 1, max: 1e6, unit: 'quote', description: 'Per-symbol override of `investment`, keyed by ccxt symbol (e.g. {"BTC/USDT:USDT": 50}); wins over the per-coin overrides.' },
  { name: 'entry_amount_option', type: 'enum', enum: ['usdt', 'percent', 'count'], default: 'usdt', description: 'How the UI expresses the amount. Informational: sizing always uses quote investment, as in the original.' },
  { name: 'leverage', type: 'number', default: 10, min: 1, max: 125, description: 'Leverage; entry amount = investment x leverage / price.' },
  { name: 'entry_multiplier', type: 'number', default: 1.0, min: 0.1, max: 5.0, description: 'DCA size multiplier: the n-th add uses investment x entry_multiplier^n (n = entries so far).' },
  { name: 'execution_mode', type: 'enum', enum: ['api_direct', 'signal_bot'], default: 'api_direct', description: 'Execution path used by the live layer (exchange REST or signal-bot webhook). Not used by the pure strategy.' },
  { name: 'signal_bot_token', type: 'string', default: null, nullable: true, description: 'Signal-bot token (signal_bot mode only).' },
  { name: 'signal_bot_webhook_url', type: 'string', default: null, nullable: true, description: 'Signal-bot webhook URL (signal_bot mode only).' },
  { name: 'symbol_execution_modes', type: 'record', recordValue: 'execution_mode', default: Object.freeze({}), description: 'Per-symbol override of execution_mode.' },
  { name: 'direction', type: 'enum', enum: ['long', 'short', 'both'], aliases: { 롱: 'long', 숏: 'short', 롱숏: 'both' }, default: 'both', description: 'Which sides may be entered. With both, long is evaluated before short.' },
  { name: 'entry_option', type: 'enum', enum: ['cross_into', 'turn_inside', 'cross_out', 'in_zone'], aliases: { 돌파: 'cross_into', 변곡: 'turn_inside', 변곡돌파: 'cross_out', 초과: 'in_zone' }, default: 'cross_into', description: 'RSI entry rule: cross_into = RSI crosses into the oversold/overbought zone; turn_inside = RSI turns while inside the zone; cross_out = RSI crosses back out of the zone; in_zone = RSI is inside the zone.' },
  { name: 'rsi_length', type: 'integer', default: 14, min: 1, max: 100, unit: 'candles', description: 'RSI period (Wilder), computed on the chart timeframe closes.' },
  { name: 'rsi_oversold', type: 'number', default: 30, min: 0, max: 100, description: 'Oversold threshold (long signals).' },
  { name: 'rsi_overbought', type: 'number', default: 70, min: 0, max: 100, description: 'Overbought threshold (short signals).' },
  { name: 'use_cooldown', type: 'boolean', default: true, description: 'After every entry, DCA and exit, block new entries/DCAs on that side for cooldown_time.' },
  { name: 'cooldown_time', type: 'integer', default: 300, min: 0, max: 3000, unit: 's', description: 'Cooldown length, measured in candle time (exits use at least 5 s).' },
  { name: 'use_trend_logic', type: 'boolean', default: true, description: 'Trend filter: no long entry/DCA while trend_state = -2, no short while +2.' },
  { name: 'trend_timeframe', type: 'timeframe', aliases: { 자동: 'auto' }, default: 'auto', description: 'Timeframe of the trend_state cycle ("auto" derives it from the chart timeframe).' },
  { name: 'use_trend_close', type: 'boolean', default: true, description: 'Close a long at trend_state -2 and a short at +2 (market, 100%).' },
  { name: 'tp_option', type: 'enum', enum: ['percent', 'price', 'atr'], aliases: OFFSET_ALIASES, default: 'percent', description: 'TP distance from the average entry: percent, fixed price distance, or ATR(14) multiple. Both original spellings 가격 기준 and 금액 기준 mean price.' },
  { name: 'use_tp1', type: 'boolean', default: true, description: 'Place take-profit 1.' },
  { name: 'use_tp2', type: 'boolean', default: true, description: 'Place take-profit 2.' },
  { name: 'use_tp3', type: 'boolean', default: true, description: 'Place take-profit 3.' },
  { name: 'tp1_ratio', type: 'number', default: 30, min: 0, max: 100, unit: '%', description: 'Share of the position closed at TP1 (active ratios are normalised to 100%).' },
  { name: 'tp2_ratio', type: 'number', default: 30, min: 0, max: 100, unit: '%', description: 'Share of the position closed at TP2.' },
  { name: 'tp3_ratio', type: 'number', default: 40, min: 0, max: 100, unit: '%', description: 'Share of the position closed at TP3.' },
  { name: 'tp1_value', type: 'number', default: 2.0, min: 0, exclusiveMin: true, max: 1e9, description: 'TP1 distance (%, price or ATR multiple per tp_option).' },
  { name: 'tp2_value', type: 'number', default: 3.0, min: 0, exclusiveMin: true, max: 1e9, description: 'TP2 distance.' },
  { name: 'tp3_value', type: 'number', default: 4.0, min: 0, exclusiveMin: true, max: 1e9, description: 'TP3 distance.' },
  { name: 'use_sl', type: 'boolean', default: false, description: 'Place a stop loss (reduce-only stop-market) computed from the entry fill price.' },
  { name: 'use_sl_on_last', type: 'boolean', default: false, description: 'Place the stop loss only once the last DCA has filled (entries = pyramiding_limit).' },
  { name: 'sl_option', type: 'enum', enum: ['percent', 'price', 'atr'], aliases: OFFSET_ALIASES, default: 'percent', description: 'SL distance: percent, fixed price distance, or ATR(14) multiple.' },
  { name: 'sl_value', type: 'number', default: 5.0, min: 0.1, max: 1e9, description: 'SL distance (percent mode: 0.1..100).' },
  { name: 'sl_reference', type: 'enum', enum: ['average', 'entry'], default: 'average', description: 'Stop loss measured from the average entry price, rebuilt after every DCA (average), or from the first entry fill and kept there across DCAs, as the original (entry).' },
  { name: 'use_break_even', type: 'boolean', default: true, description: 'When TP1 fills, move the stop to the average entry price.' },
  { name: 'use_break_even_tp2', type: 'boolean', default: true, description: 'When TP2 fills, move the stop to the TP1 price.' },
  { name: 'use_break_even_tp3', type: 'boolean', default: true, description: 'When TP3 fills, move the stop to the TP2 price.' },
  { name: 'pyramiding_limit', type: 'integer', default: 4, min: 1, max: 10, unit: 'entries', description: 'Maximum entries per position, the first one included (4 = initial + 3 DCAs; 1 = no DCA).' },
  { name: 'pyramiding_entry_type', type: 'enum', enum: ['percent', 'amount', 'atr'], aliases: DCA_ALIASES, default: 'percent', description: 'DCA level distance from the reference price: percent, fixed price amount, or ATR(14) multiple (ATR floored at 0.1% of price).' },
  { name: 'pyramiding_value', type: 'number', default: 3.0, min: 0, exclusiveMin: true, max: 1e9, description: 'DCA distance (%, price amount or ATR multiple).' },
  { name: 'entry_criterion', type: 'enum', enum: ['average', 'last_entry'], aliases: { '평균 단가': 'average', '마지막 진입': 'last_entry' }, default: 'average', description: 'DCA reference price: the average entry price or the last fill price.' },
  { name: 'use_check_DCA_with_price', type: 'boolean', default: true, description: 'Require price to reach the next DCA level (long: close <= level, short: close >= level).' },
  { name: 'use_rsi_with_pyramiding', type: 'boolean', default: true, description: 'Require the RSI entry signal of the position side for a DCA.' },
  { name: 'pyramiding_type', type: 'enum', enum: ['0', '1', '2'], default: '0', description: 'Kept for compatibility; unused by the original trading code and here.' },
  { name: 'trailing_stop_active', type: 'boolean', default: true, description: 'Start a trailing stop when the TP named by trailing_start_point fills; only TPs up to that point are placed.' },
  { name: 'trailing_start_point', type: 'enum', enum: [...TP_LEVELS], default: 'tp3', description: 'Which TP fill starts the trailing stop.' },
  { name: 'trailing_stop_type', type: 'enum', enum: ['fixed', 'tp2_tp3_difference'], aliases: { '트레일링 스탑 고정값': 'fixed', 'TP2-TP3 차이 기준': 'tp2_tp3_difference' }, default: 'fixed', description: 'Informational (as in the original); the offset is chosen by use_trailing_stop_value_with_tp2_tp3_difference.' },
  { name: 'use_trailing_stop_value_with_tp2_tp3_difference', type: 'boolean', default: false, description: 'Trailing offset = |TP3 - TP2| instead of a percent of price.' },
  { name: 'trailing_stop_offset_value', type: 'number', default: 0.5, min: 0, exclusiveMin: true, max: 100, unit: '%', description: 'Trailing offset in % of the price at activation (floored at 0.1%).' },
  { name: 'use_dual_side_entry', type: 'boolean', default: false, description: 'Open a hedge on the opposite side once the position has dual_side_entry_trigger entries.' },
  { name: 'dual_side_entry_trigger', type: 'integer', default: 3, min: 1, max: 10, unit: 'entries', description: 'Entry count (initial included) after whose DCA fill the hedge opens.' },
  { name: 'dual_side_entry_ratio_type', type: 'enum', enum: ['percent_of_position', 'fixed'], default: 'percent_of_position', description: 'Hedge size: percent of the main position, or a fixed base amount.' },
  { name: 'dual_side_entry_ratio_value', type: 'number', default: 30, min: 0, exclusiveMin: true, max: 1e9, description: 'Hedge size value (percent: a value <= 1 is read as a fraction; fixed: base units).' },
  { name: 'dual_side_entry_tp_trigger_type', type: 'enum', enum: ['do_not_close', 'existing_position', 'last_dca_on_position', 'percent'], default: 'last_dca_on_position', description: 'Hedge TP: none, the main position stop, the main last DCA level, or a percent from the hedge average.' },
  { name: 'dual_side_entry_tp_value', type: 'number', default: 0.3, min: 0, exclusiveMin: true, max: 100, unit: '%', description: 'Hedge TP percent (percent mode).' },
  { name: 'close_main_on_hedge_tp', type: 'boolean', default: false, description: 'Close the main position when the hedge TP fills.' },
  { name: 'use_dual_sl', type: 'boolean', default: false, description: 'Place a stop on the hedge.' },
  { name: 'dual_side_entry_sl_trigger_type', type: 'enum', enum: ['existing_position', 'percent'], default: 'percent', description: 'Hedge SL: the main TP1 price, or a percent from the hedge average.' },
  { name: 'dual_side_entry_sl_value', type: 'number', default: 5, min: 0, exclusiveMin: true, max: 100, unit: '%', description: 'Hedge SL percent (percent mode).' },
  { name: 'dual_side_pyramiding_limit', type: 'integer', default: 1, min: 1, max: 10, description: 'Maximum number of hedge entries per main position.' },
  { name: 'activate_tp_sl_after_all_dca', type: 'boolean', default: false, description: 'Place the hedge TP/SL only once the main position has made all its DCAs.' },
  { name: 'dual_side_trend_close', type: 'boolean', default: false, description: 'Close the hedge too when the main position is closed by the trend.' },
];

export const HYPERRSI_DEFAULT_SETTINGS: HyperrsiSettings = settingsDefaults<HyperrsiSettings>({ specs: HYPERRSI_SETTINGS_SCHEMA, keyAliases: new Map() });

/**
 * `use_trend_logic` -> `useTrendLogic`, `tp1_ratio` -> `tp1Ratio`, `use_check_DCA_with_price` -> `useCheckDCAWithPrice`:
 * the camelCase spelling of an original name (the API's name of the setting).
 */
export function camelSettingName(name: string): string {
  return name.replace(/_([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * HYPERRSI's schema for the one settings helper. The camelCase spelling of every setting (the API's JSON convention,
 * GRID's own) is accepted as an alias of the original name, which stays the stored and returned key: stored bots,
 * presets and journals keep their form.
 */
const SCHEMA: SettingsSchema<HyperrsiSettings> = {
  specs: HYPERRSI_SETTINGS_SCHEMA,
  keyAliases: new Map(HYPERRSI_SETTINGS_SCHEMA.filter((d) => camelSettingName(d.name) !== d.name).map((d) => [camelSettingName(d.name), d.name])),
};

/** Raw settings under the original names (camelCase spellings renamed; values untouched, unknown keys kept). */
export function canonicalHyperrsiKeys(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return canonicalSettingKeys(SCHEMA, raw);
}

/**
 * Validates and normalises raw settings (missing keys take the defaults). Throws StrategySettingsError
 * listing every bad field, unknown keys included.
 */
export function parseHyperrsiSettings(input: unknown): HyperrsiSettings {
  const { settings: s, issues, valid, finish } = readSettings(SCHEMA, input);

  if (valid('rsi_oversold') && valid('rsi_overbought') && !(s.rsi_oversold < s.rsi_overbought)) {
    issues.push({ field: 'rsi_oversold', message: 'must be below rsi_overbought' });
  }
  if (valid('sl_option') && valid('sl_value') && s.sl_option === 'percent' && s.sl_value >= 100) {
    issues.push({ field: 'sl_value', message: 'must be below 100 when sl_option is percent' });
  }
  if (valid('pyramiding_entry_type') && valid('pyramiding_value') && s.pyramiding_entry_type === 'percent' && s.pyramiding_value >= 100) {
    issues.push({ field: 'pyramiding_value', message: 'must be below 100 when pyramiding_entry_type is percent' });
  }
  if (valid('tp_option') && s.tp_option === 'percent') {
    for (const lvl of [1, 2, 3] as const) {
      const k = `tp${lvl}_value` as const;
      if (valid(k) && valid(`use_tp${lvl}`) && s[`use_tp${lvl}`] && s[k] >= 100 && valid('direction') && s.direction !== 'long') {
        issues.push({ field: k, message: 'must be below 100 when tp_option is percent and shorts are allowed' });
      }
    }
  }
  const ratioFields = [1, 2, 3].filter((l) => valid(`use_tp${l}` as 'use_tp1') && s[`use_tp${l}` as 'use_tp1']);
  if (ratioFields.length > 0 && ratioFields.every((l) => valid(`tp${l}_ratio` as 'tp1_ratio'))) {
    const sum = ratioFields.reduce((acc, l) => acc + s[`tp${l}_ratio` as 'tp1_ratio'], 0);
    if (!(sum > 0)) issues.push({ field: `tp${ratioFields[0]}_ratio`, message: 'the active TP ratios must not all be 0' });
  }
  if (valid('trailing_stop_active') && valid('trailing_start_point') && s.trailing_stop_active) {
    const lvl = s.trailing_start_point.slice(2);
    const useKey = `use_tp${lvl}` as 'use_tp1';
    if (valid(useKey) && !s[useKey]) {
      issues.push({ field: 'trailing_start_point', message: `${s.trailing_start_point} is not used (${useKey} is false), so the trailing stop could never start` });
    }
  }
  return finish();
}

/** Quote investment for one symbol: symbol_investments > btc/eth/sol_investment > investment. */
export function investmentFor(settings: HyperrsiSettings, symbol: string): number {
  const exact = settings.symbol_investments[symbol];
  if (exact !== undefined) return exact;
  const base = symbol.split(/[/:-]/)[0].toUpperCase();
  const perCoin = base === 'BTC' ? settings.btc_investment : base === 'ETH' ? settings.eth_investment : base === 'SOL' ? settings.sol_investment : null;
  return perCoin ?? settings.investment;
}

/** The original refuses to start when investment x leverage < 200 USDT (§2.1 step 4); a lifecycle check for the bots layer. */
export const ORIGINAL_MIN_START_NOTIONAL = 200;

export function hyperrsiStartIssues(settings: HyperrsiSettings, symbol: string, minNotional = ORIGINAL_MIN_START_NOTIONAL): SettingsIssue[] {
  const notional = investmentFor(settings, symbol) * settings.leverage;
  return notional < minNotional ? [{ field: 'investment', message: `investment x leverage = ${notional} is below ${minNotional}` }] : [];
}

