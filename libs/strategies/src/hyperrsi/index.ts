/**
 * HYPERRSI: RSI entries with a trend filter, DCA/pyramiding, a TP ladder, SL, break-even, trailing stop and
 * an optional opposite-side hedge — as a pure engine implementing the strategy contract (core/contract.ts).
 *
 * Mapping of the original's Redis/Celery loop (docs/strategy-rules.md §2):
 * - the 5 s polling loop becomes one `decide` per CLOSED chart candle; "current price" is the candle close;
 * - Redis position hashes become `HyperrsiState.main` / `.hedge`, learned only from `onFill`;
 * - the per-candle position lock is "at most one entry or DCA per decision, and none while one is in flight";
 * - cooldowns are measured in candle/fill time, never wall-clock time;
 * - TP/SL/trailing rest in the matching engine as reduce-only limit / stop-market orders.
 */
export {
  HYPERRSI_SETTINGS_SCHEMA,
  HYPERRSI_DEFAULT_SETTINGS,
  ORIGINAL_MIN_START_NOTIONAL,
  parseHyperrsiSettings,
  canonicalHyperrsiKeys,
  camelSettingName,
  investmentFor,
  hyperrsiStartIssues,
} from './hyperrsi.settings';
export type {
  HyperrsiSettings,
  SettingDescriptor,
  EntryMode,
  Direction,
  PriceOffsetMode,
  DcaMode,
  EntryCriterion,
  TpLevel,
  TrailingStopType,
  ExecutionMode,
  EntryAmountOption,
  HedgeRatioType,
  HedgeTpType,
  HedgeSlType,
} from './hyperrsi.settings';
export {
  isLongSignal,
  isShortSignal,
  effectiveAtr,
  nextDcaLevel,
  dcaLevels,
  takeProfitPrices,
  takeProfitAmounts,
  placedTpLevels,
  stopLossPrice,
  trailingOffset,
  minSustainSize,
} from './hyperrsi.math';
export { MAX_ENTRY_FAILURES } from './hyperrsi.state';
export type { HyperrsiState, HyperrsiPosition, HyperrsiOrder, HyperrsiOrderTag, TrendValue } from './hyperrsi.state';
export { hyperrsiStrategy, createHyperrsiStrategy, defaultTrendSource, needsTrend } from './hyperrsi.strategy';
export type { HyperrsiTrendSource, HyperrsiStrategyDeps } from './hyperrsi.strategy';
