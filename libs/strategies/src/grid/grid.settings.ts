import type { SettingsIssue } from '../core/contract';
import { canonicalSettingKeys, readSettings, type SettingSpec, type SettingsSchema } from '../core/settings-schema';

/*
 * GRID settings: one strategy, two modes (docs/strategy-rules.md §3, docs/strategy-rules.md §7).
 *
 * - `adaptive`: the original TradingBoost grid. Levels follow Ehlers FAMA and ATR (§3.3), a 4h ADX regime
 *   gates new entries (§3.4), take-profits and re-arms use the original clamps (§3.5).
 * - `range`: the grid traders know from exchange bots: fixed lower/upper prices, N grids, arithmetic or
 *   geometric spacing, trigger/stop-loss/take-profit prices, trailing up/down.
 */

export const GRID_MODES = ['adaptive', 'range'] as const;
export type GridMode = (typeof GRID_MODES)[number];

/** `neutral` is the range-grid word for the original's `long-short`; both spellings are accepted. */
export const GRID_DIRECTIONS = ['long', 'short', 'neutral'] as const;
export type GridDirection = (typeof GRID_DIRECTIONS)[number];

export const GRID_SPACINGS = ['arithmetic', 'geometric'] as const;
export type GridSpacing = (typeof GRID_SPACINGS)[number];

export const GRID_SIZING_MODES = ['total_investment', 'quote_per_grid', 'base_per_grid'] as const;
export type GridSizingMode = (typeof GRID_SIZING_MODES)[number];

export interface GridSettings {
  readonly mode: GridMode;
  readonly direction: GridDirection;
  /** adaptive: number of levels traded (1..40). range: number of grid intervals (2..200); levels = gridNum + 1. */
  readonly gridNum: number;
  readonly leverage: number;
  readonly sizingMode: GridSizingMode;
  /** Total quote committed to the grid (before leverage); split evenly over the grid in `total_investment`. */
  readonly investment: number;
  readonly quotePerGrid: number | null;
  readonly basePerGrid: number | null;
  /** adaptive only: quote per level 1..gridNum (the original `enter_symbol_amount_list`); overrides sizing. */
  readonly amountList: readonly number[] | null;
  readonly maxOpenOrders: number | null;
  /** % loss on the averaged position that market-closes everything and stops the grid. */
  readonly stopLossPct: number | null;
  /** Minutes (candle time) without a new entry after which everything is closed and the grid stops. */
  readonly customStopMinutes: number | null;
  /** Fee rate per side (fraction, 0.0005 = 0.05%) used by the range-grid profitability check. */
  readonly feeRate: number;

  // adaptive mode
  readonly fastLimit: number;
  readonly slowLimit: number;
  readonly atrLength: number;
  readonly bandMult: number;
  readonly minDiff: number;
  readonly adxLength: number;
  readonly adxThreshold: number;
  readonly useRegimeFilter: boolean;
  /** adaptive: an open order is moved when its level drifts more than this % from the order's price. */
  readonly repricePct: number;
  /**
   * adaptive: entries are armed from the levels nearest the price, as the original (docs/adr/0015-grid-placement-
   * as-the-original.md): of the `nearestLevels` nearest, at most 2 below the price (a buy one level lower each) and
   * 2 above (a sell one level higher). null = every eligible level (the behaviour before).
   */
  readonly nearestLevels: number | null;

  // range mode
  readonly lowerPrice: number | null;
  readonly upperPrice: number | null;
  readonly spacing: GridSpacing;
  readonly triggerPrice: number | null;
  readonly stopLossPrice: number | null;
  readonly takeProfitPrice: number | null;
  readonly trailingUp: boolean;
  readonly trailingDown: boolean;
  readonly trailingUpLimit: number | null;
  readonly trailingDownLimit: number | null;
}

export const GRID_DEFAULTS: GridSettings = Object.freeze({
  mode: 'adaptive',
  direction: 'long',
  gridNum: 20,
  leverage: 10,
  sizingMode: 'total_investment',
  investment: 10,
  quotePerGrid: null,
  basePerGrid: null,
  amountList: null,
  maxOpenOrders: null,
  stopLossPct: null,
  customStopMinutes: null,
  feeRate: 0.0005,
  fastLimit: 0.5,
  slowLimit: 0.05,
  atrLength: 14,
  bandMult: 0.5,
  minDiff: 0.004,
  adxLength: 28,
  adxThreshold: 20,
  useRegimeFilter: true,
  repricePct: 0.2,
  nearestLevels: 4,
  lowerPrice: null,
  upperPrice: null,
  spacing: 'arithmetic',
  triggerPrice: null,
  stopLossPrice: null,
  takeProfitPrice: null,
  trailingUp: false,
  trailingDown: false,
  trailingUpLimit: null,
  trailingDownLimit: null,
} satisfies GridSettings);

/** A setting of GRID, described with the one settings-schema helper (core/settings-schema.ts), and the modes it applies to. */
export interface GridSettingDoc extends SettingSpec<keyof GridSettings> {
  readonly modes: readonly GridMode[];
}

const BOTH: readonly GridMode[] = ['adaptive', 'range'];
const ADAPTIVE: readonly GridMode[] = ['adaptive'];
const RANGE: readonly GridMode[] = ['range'];

/** One entry per setting, for API docs and forms. */
export const GRID_SETTINGS_DOC: readonly GridSettingDoc[] = [
  { name: 'mode', type: 'enum', enum: GRID_MODES, default: 'adaptive', modes: BOTH, description: "'adaptive' = the original FAMA/ATR grid; 'range' = fixed lower/upper price grid" },
  { name: 'direction', type: 'enum', enum: [...GRID_DIRECTIONS, 'long-short'], aliases: { 'long-short': 'neutral' }, default: 'long', modes: BOTH, description: "long = buys below price, each closed one level up; short = sells above price, closed one level down; neutral (alias 'long-short') = both legs (perpetuals only for short/neutral)" },
  { name: 'gridNum', type: 'integer', default: 20, min: 1, max: 200, modes: BOTH, description: 'adaptive: levels traded (1..40, original grid_num); range: grid intervals (2..200), levels = gridNum + 1' },
  { name: 'leverage', type: 'integer', default: 10, min: 1, max: 125, modes: BOTH, description: 'perpetuals only (ignored on spot): the grid sizes orders from investment × leverage' },
  { name: 'sizingMode', type: 'enum', enum: GRID_SIZING_MODES, default: 'total_investment', modes: BOTH, description: 'total_investment = investment × leverage split evenly per grid; quote_per_grid = quotePerGrid quote per order; base_per_grid = basePerGrid base units per order' },
  { name: 'investment', type: 'number', default: 10, min: 0, modes: BOTH, description: 'quote committed to the grid (original initial_capital); also the overbought cap of the adaptive grid' },
  { name: 'quotePerGrid', type: 'number', default: null, min: 0, nullable: true, modes: BOTH, description: 'quote per order (required when sizingMode = quote_per_grid)' },
  { name: 'basePerGrid', type: 'number', default: null, min: 0, nullable: true, modes: BOTH, description: 'base units per order (required when sizingMode = base_per_grid)' },
  { name: 'amountList', type: 'number[]', default: null, nullable: true, modes: ADAPTIVE, description: 'quote per level 1..gridNum (original enter_symbol_amount_list); overrides sizingMode' },
  { name: 'maxOpenOrders', type: 'integer', default: null, min: 1, max: 400, nullable: true, modes: BOTH, description: 'at most this many live orders; entry orders go to the levels nearest the price, take-profits are always kept' },
  { name: 'stopLossPct', type: 'number', default: null, min: 0.1, max: 50, nullable: true, zeroMeansNull: true, modes: BOTH, description: '% loss of the averaged position (at a candle close) that market-closes everything and stops the grid (original stop_loss)' },
  { name: 'customStopMinutes', type: 'integer', default: null, min: 1, nullable: true, zeroMeansNull: true, modes: BOTH, description: 'minutes of candle time without a new entry after which everything is closed and the grid stops (original custom_stop)' },
  { name: 'feeRate', type: 'number', default: 0.0005, min: 0, max: 0.05, modes: BOTH, description: 'fee per side as a fraction; a range grid whose step does not beat 2 × feeRate is refused' },
  { name: 'fastLimit', type: 'number', default: 0.5, min: 0.01, max: 0.99, modes: ADAPTIVE, description: 'MAMA fast limit' },
  { name: 'slowLimit', type: 'number', default: 0.05, min: 0.01, max: 0.99, modes: ADAPTIVE, description: 'MAMA slow limit (must be below fastLimit)' },
  { name: 'atrLength', type: 'integer', default: 14, min: 1, max: 500, modes: ADAPTIVE, description: 'ATR length for the ATR half of the hybrid levels' },
  { name: 'bandMult', type: 'number', default: 0.5, min: 0.01, max: 10, modes: ADAPTIVE, description: 'percent-step multiplier: each level is band_mult × 1.2% from the next on the percent side' },
  { name: 'minDiff', type: 'number', default: 0.004, min: 0.0001, max: 0.1, modes: ADAPTIVE, description: 'minimum relative gap between neighbouring levels and ATR floor (fraction of FAMA)' },
  { name: 'adxLength', type: 'integer', default: 28, min: 2, max: 500, modes: ADAPTIVE, description: 'DI and ADX length of the 4h regime filter' },
  { name: 'adxThreshold', type: 'number', default: 20, min: 0, max: 100, modes: ADAPTIVE, description: 'ADX level below which a trend regime resets to 0' },
  { name: 'useRegimeFilter', type: 'boolean', default: true, modes: ADAPTIVE, description: 'block new longs in regime -2 and new shorts in regime +2' },
  { name: 'repricePct', type: 'number', default: 0.2, min: 0, max: 50, modes: ADAPTIVE, description: 'an open entry order is moved (cancel + new) when its level drifts by more than this % (and by at least one tick)' },
  { name: 'nearestLevels', type: 'integer', default: 4, min: 2, max: 200, nullable: true, modes: ADAPTIVE, description: 'the original arms only the levels nearest the price: of this many nearest, at most 2 below (a buy one level lower each) and 2 above (a sell one level higher); null = every eligible level' },
  { name: 'lowerPrice', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'lowest grid price (required in range mode)' },
  { name: 'upperPrice', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'highest grid price (required in range mode, above lowerPrice)' },
  { name: 'spacing', type: 'enum', enum: GRID_SPACINGS, default: 'arithmetic', modes: RANGE, description: 'arithmetic = equal price steps; geometric = equal % steps' },
  { name: 'triggerPrice', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'the grid places no order until price touches this price' },
  { name: 'stopLossPrice', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'long/neutral: below lowerPrice; short: above upperPrice. When touched: cancel all and market-close' },
  { name: 'takeProfitPrice', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'long/neutral: above upperPrice; short: below lowerPrice. When touched: cancel all and market-close' },
  { name: 'trailingUp', type: 'boolean', default: false, modes: RANGE, description: 'once price is one interval above the top, cancel the lowest buy and shift the range up one grid (Bybit rule)' },
  { name: 'trailingDown', type: 'boolean', default: false, modes: RANGE, description: 'mirror of trailingUp: shift the range down one grid once price is one interval below the bottom' },
  { name: 'trailingUpLimit', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'the top of the range never trails above this price' },
  { name: 'trailingDownLimit', type: 'number', default: null, min: 0, nullable: true, modes: RANGE, description: 'the bottom of the range never trails below this price' },
];

// ------------------------------------------------------------------------------------------------
// Parsing
// ------------------------------------------------------------------------------------------------

/** Original (snake_case) names accepted as aliases of the camelCase ones. */
const ALIASES: Record<string, keyof GridSettings> = {
  grid_num: 'gridNum',
  stop_loss: 'stopLossPct',
  custom_stop: 'customStopMinutes',
  enter_strategy: 'direction',
  enter_symbol_amount_list: 'amountList',
  initial_capital: 'investment',
  fee_rate: 'feeRate',
  max_open_orders: 'maxOpenOrders',
  lower_price: 'lowerPrice',
  upper_price: 'upperPrice',
  trigger_price: 'triggerPrice',
  stop_loss_price: 'stopLossPrice',
  take_profit_price: 'takeProfitPrice',
};

/** GRID's schema for the one settings helper. */
const SCHEMA: SettingsSchema<GridSettings> = { specs: GRID_SETTINGS_DOC, keyAliases: new Map(Object.entries(ALIASES)) };

/** Raw settings under GRID's own (camelCase) names (the original's names renamed; values untouched, unknown keys kept). */
export function canonicalGridKeys(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return canonicalSettingKeys(SCHEMA, raw);
}

/**
 * Validates and normalises raw GRID settings; defaults fill what is missing. Throws a StrategySettingsError
 * listing EVERY bad field. `stop_loss: 0` and `custom_stop: 0` (the original's "off") mean null.
 */
export function parseGridSettings(input: unknown): GridSettings {
  const { settings, issues, valid, finish } = readSettings(SCHEMA, input);
  // cross-field rules run even when some fields are bad, so every problem is reported at once; a rule about
  // a field that already failed on its own is not repeated
  const cross: SettingsIssue[] = [];
  crossChecks(settings, cross);
  for (const i of cross) if (valid(i.field as keyof GridSettings)) issues.push(i);
  return finish();
}

function crossChecks(s: GridSettings, issues: SettingsIssue[]): void {
  if (s.mode === 'adaptive') {
    if (s.gridNum > 40) issues.push({ field: 'gridNum', message: 'must be <= 40 in adaptive mode' });
    if (s.slowLimit >= s.fastLimit) issues.push({ field: 'slowLimit', message: 'must be below fastLimit' });
    if (s.amountList && s.amountList.length !== s.gridNum) {
      issues.push({ field: 'amountList', message: `must have gridNum (${s.gridNum}) entries` });
    }
  } else {
    if (s.gridNum < 2) issues.push({ field: 'gridNum', message: 'must be >= 2 in range mode' });
    if (s.amountList) issues.push({ field: 'amountList', message: 'only allowed in adaptive mode' });
    const lo = s.lowerPrice;
    const hi = s.upperPrice;
    if (lo === null || lo <= 0) issues.push({ field: 'lowerPrice', message: 'required (> 0) in range mode' });
    if (hi === null || hi <= 0) issues.push({ field: 'upperPrice', message: 'required (> 0) in range mode' });
    if (lo !== null && hi !== null && lo > 0 && hi > 0) {
      if (hi <= lo) issues.push({ field: 'upperPrice', message: 'must be above lowerPrice' });
      else {
        const below = s.direction === 'short' ? 'takeProfitPrice' : 'stopLossPrice';
        const above = s.direction === 'short' ? 'stopLossPrice' : 'takeProfitPrice';
        const b = s[below];
        const a = s[above];
        if (b !== null && b >= lo) issues.push({ field: below, message: `must be below lowerPrice (${lo}) for a ${s.direction} grid` });
        if (a !== null && a <= hi) issues.push({ field: above, message: `must be above upperPrice (${hi}) for a ${s.direction} grid` });
        if (s.trailingUpLimit !== null && s.trailingUpLimit <= hi) issues.push({ field: 'trailingUpLimit', message: 'must be above upperPrice' });
        if (s.trailingDownLimit !== null && s.trailingDownLimit >= lo) issues.push({ field: 'trailingDownLimit', message: 'must be below lowerPrice' });
        const fee = checkGridFee(lo, hi, s.gridNum, s.spacing, s.feeRate);
        if (fee) issues.push({ field: 'gridNum', message: fee });
      }
    }
  }
  if (s.sizingMode === 'quote_per_grid' && !(s.quotePerGrid !== null && s.quotePerGrid > 0)) {
    issues.push({ field: 'quotePerGrid', message: 'required (> 0) when sizingMode = quote_per_grid' });
  }
  if (s.sizingMode === 'base_per_grid' && !(s.basePerGrid !== null && s.basePerGrid > 0)) {
    issues.push({ field: 'basePerGrid', message: 'required (> 0) when sizingMode = base_per_grid' });
  }
  if (s.sizingMode === 'total_investment' && !(s.investment > 0) && !s.amountList) {
    issues.push({ field: 'investment', message: 'must be > 0 when sizingMode = total_investment' });
  }
}

/**
 * The range-grid profitability check (bbgo `checkSpread`, KuCoin "profit per grid after fees"): the
 * relative step at the tightest end of the range must beat a round trip's fees, 2 × feeRate. Arithmetic
 * grids are tightest at the top (step / upper), geometric grids have one ratio everywhere. Returns null
 * when the grid passes, else a message giving the largest grid count and the smallest step that pass.
 */
export function checkGridFee(lower: number, upper: number, gridNum: number, spacing: GridSpacing, feeRate: number): string | null {
  if (feeRate <= 0) return null;
  const need = 2 * feeRate;
  let stepPct: number;
  let maxCount: number;
  let minStep: string;
  if (spacing === 'arithmetic') {
    const step = (upper - lower) / gridNum;
    stepPct = step / upper;
    const limit = (upper - lower) / (need * upper); // count must be strictly below this
    maxCount = Math.ceil(limit) - 1;
    minStep = `${fmt(need * upper)} (quote)`;
  } else {
    stepPct = Math.pow(upper / lower, 1 / gridNum) - 1;
    const limit = Math.log(upper / lower) / Math.log(1 + need);
    maxCount = Math.ceil(limit) - 1;
    minStep = `${fmt(need * 100)}%`;
  }
  if (stepPct > need) return null;
  const counts = maxCount >= 2 ? `use at most ${maxCount} grids` : 'widen the range';
  return (
    `grid step ${fmt(stepPct * 100)}% at the tightest end does not beat 2 × feeRate (${fmt(need * 100)}%): ` +
    `${counts} (the step must exceed ${minStep})`
  );
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
