import type { MarketSpec, OrderType, PositionSide } from '../core/contract';
import type { Timeframe } from '../core/timeframe';
import type { AtrState, RsiState } from '../indicators';
import type { HyperrsiSettings } from './hyperrsi.settings';

/*
 * HYPERRSI state: plain JSON data, bounded in size (no per-candle growth). Persisted between candles in
 * live mode; `decide`/`onFill`/`onOrderClosed` mutate it in place (core/contract.ts).
 */

export type TrendValue = -2 | 0 | 2;

/** Tags of the orders this strategy places (OrderIntent.tag / Fill.tag). */
export type HyperrsiOrderTag =
  | 'entry'
  | 'dca'
  | 'tp1'
  | 'tp2'
  | 'tp3'
  | 'sl'
  | 'manual_sl'
  | 'break_even'
  | 'trailing'
  | 'close'
  | 'trend_close'
  | 'dust'
  | 'hedge_entry'
  | 'hedge_tp'
  | 'hedge_sl'
  | 'hedge_close';

/** An order of ours that may still be open (removed when it completes, is closed, or we cancel it). */
export interface HyperrsiOrder {
  key: string;
  tag: HyperrsiOrderTag;
  positionSide: PositionSide;
  type: OrderType;
  amount: number;
  filled: number;
  /** limit price or trigger price; null for market orders */
  price: number | null;
}

/** One open position (the main position, or the hedge on the opposite side). Learned only from fills. */
export interface HyperrsiPosition {
  side: PositionSide;
  /** open amount, base units */
  size: number;
  avgPrice: number;
  /** entries filled, the initial one included (the original's `dca_count`) */
  entries: number;
  initialSize: number;
  lastEntrySize: number;
  lastFillPrice: number;
  /** Price of the first entry fill (the `sl_reference: entry` stop's base); absent in states saved before it existed. */
  firstFillPrice?: number;
  openedAt: number;
  /** `min_sustain_contract_size` in base units (0 for a hedge) */
  minSustain: number;
  /** some of the position has been closed (a TP or partial close filled) */
  reduced: boolean;
  /** computed TP1..TP3 prices of the current TP ladder (null = level unused) */
  tpPrices: [number | null, number | null, number | null];
  /** highest TP level completely filled since the last (re)build, 0..3 */
  tpFilled: number;
  /** trigger price of the resting stop (SL, break-even or trailing), null when none */
  stopPrice: number | null;
  stopKey: string | null;
  /** trailing stop, once started: fixed offset and the best price seen since */
  trailingOffset: number | null;
  trailingExtreme: number | null;
  /** a close (market, reduce-only) is in flight */
  closing: boolean;
  /** why it is being closed: 'trend' | 'dust' | 'hedge_tp' | 'main_exit' | null */
  closeReason: string | null;
  /** hedge only: its TP/SL have been placed */
  protectionPlaced: boolean;
  /** the trader's stop-loss price (command set_stop_loss); absent/null = the strategy's own stop */
  manualStop?: number | null;
  /** the trader's take-profit ladder (command set_take_profit): prices and % of the position each closes */
  manualTp?: { prices: number[]; sizes: number[] } | null;
}

export interface HyperrsiState {
  v: 1;
  botId: string;
  timeframe: Timeframe;
  timeframeMs: number;
  settings: HyperrsiSettings;
  market: MarketSpec;
  /** quote investment resolved for the market's symbol */
  investment: number;
  /** decimals used to strip float noise from position sizes */
  amountDecimals: number;

  rsi: RsiState;
  atr: AtrState;
  /** trend_state calculator state; null when no setting needs the trend */
  trend: unknown;
  rsiPrev: number | null;
  rsiCurr: number | null;
  atrValue: number | null;
  trendState: TrendValue | null;

  /** open time of the last candle decided on */
  lastCandleTime: number | null;
  lastClose: number | null;
  candles: number;

  entryFailCount: number;
  /** set after MAX_ENTRY_FAILURES rejected entries in a row: no new entries until re-initialised */
  halted: boolean;
  cooldownUntilLong: number;
  cooldownUntilShort: number;
  /** key of the in-flight entry or DCA market order (the position lock) */
  pendingKey: string | null;

  main: HyperrsiPosition | null;
  hedge: HyperrsiPosition | null;
  /** hedge entries made for the current main position (`dual_side_count`) */
  hedgeEntries: number;

  orders: HyperrsiOrder[];

  /** command skip_next_entry: the next entry signal is not taken (absent = false) */
  skipNextEntry?: boolean;

  /** why the last wanted action did not happen (e.g. 'entry_below_minimums'), with its time */
  lastSkip: string | null;
  lastSkipTime: number | null;
}

export const MAX_ENTRY_FAILURES = 5;
