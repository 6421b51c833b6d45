import type { Candle } from './candle';
import type { Timeframe } from './timeframe';
import type { CommandInput, StrategyCommand, StrategyCommandType } from './commands';

/**
 * The strategy contract (docs/architecture.md §3). A strategy is a pure, deterministic state machine:
 *
 *   decide(state, closedCandle, market) -> { state', intents[] }   on each CLOSED candle
 *   onFill(state, fill)                 -> { state', intents[] }   when one of its orders (partly) fills
 *
 * Rules every implementation follows:
 * - No Date.now(), no randomness, no I/O. Time comes only from candles and fills.
 * - State is plain JSON-serialisable data (numbers, strings, booleans, arrays, plain objects; no NaN —
 *   use null). It is persisted between candles in live mode.
 * - For speed, decide/onFill take OWNERSHIP of the state they are given and may mutate it in place; they
 *   return the next state (possibly the same object). A caller that must keep the old state clones it
 *   first (structuredClone). Same input state + same arguments => byte-identical output state and intents.
 * - The candle passed to decide is only valid during the call (the backtester rewrites one candle object in
 *   place for every candle): a strategy copies the numbers it keeps, never the object.
 * - Every intent carries a deterministic `key`. Keys are built from the bot id and either the candle time
 *   (`${botId}:${candleTime}:${kind}:${index}`) or, for orders caused by a fill, the filled order's key
 *   (`${fill.key}>${kind}:${index}`). The OMS derives the exchange clientOrderId from the key, so
 *   re-running a decision can never create a second order.
 */

export type PositionSide = 'long' | 'short';
export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop_market';
export type MarketType = 'spot' | 'perp';

/** What a strategy needs to know about the instrument. Amounts are in base units. */
export interface MarketSpec {
  readonly symbol: string; // ccxt unified: 'BTC/USDT' spot, 'BTC/USDT:USDT' perpetual
  readonly type: MarketType;
  readonly tickSize: number; // price increment
  readonly amountStep: number; // amount increment (base units)
  readonly minAmount: number; // smallest order amount (base units)
  readonly minNotional: number; // smallest order value (quote)
}

/** Place an order. `amount` is in base units, already floored to amountStep; prices rounded to tick. */
export interface OrderIntent {
  readonly action: 'place';
  readonly key: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: number;
  /** limit price (type 'limit') */
  readonly price?: number;
  /** trigger price (type 'stop_market'): fires when price trades through it, then fills as market */
  readonly triggerPrice?: number;
  /**
   * Optional, 'stop_market' only: a trailing stop. The trigger follows the best price seen since placement at this
   * distance (quote), never moving back: sell stop trigger = max(trigger, highest − offset), buy stop = min(trigger,
   * lowest + offset) — as an exchange's trailing order does, inside the candle.
   */
  readonly trailingOffset?: number;
  readonly reduceOnly: boolean;
  /** what the order is for: 'entry' | 'dca' | 'tp1' | 'tp2' | 'tp3' | 'sl' | 'trailing' | 'close' | 'grid_open' | 'grid_tp' | ... */
  readonly tag: string;
}

/** Cancel a resting order previously placed by this strategy (by its intent key). */
export interface CancelIntent {
  readonly action: 'cancel';
  readonly key: string;
  readonly reason: string;
}

export type Intent = OrderIntent | CancelIntent;

/** A (possibly partial) execution of one of the strategy's orders. */
export interface Fill {
  readonly key: string; // the intent key of the order that filled
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: number; // base units filled by THIS execution
  readonly price: number;
  readonly fee: number; // in quote currency
  readonly time: number; // ms, UTC
  readonly tag: string;
  readonly remaining: number; // amount still open on the order after this fill (0 = order complete)
}

/** A resting order ended without (fully) filling. */
export interface OrderClosedEvent {
  readonly key: string;
  readonly status: 'canceled' | 'rejected' | 'expired';
  readonly reason?: string;
  readonly time: number;
}

export interface StrategyResult<S> {
  readonly state: S;
  readonly intents: Intent[];
}

export interface StrategyInit<Settings> {
  readonly botId: string;
  readonly settings: Settings;
  readonly market: MarketSpec;
  readonly timeframe: Timeframe;
}

export interface Strategy<Settings, S> {
  readonly name: string;
  /** Validate and normalise raw settings (defaults filled in). Throws StrategySettingsError. */
  parseSettings(input: unknown): Settings;
  /**
   * Optional: raw settings with every accepted spelling of a key renamed to the strategy's own (values untouched,
   * unknown keys kept for parseSettings to refuse) — what a bot or a preset stores, so a stored form has one spelling
   * (docs/architecture.md §3, settings keys).
   */
  canonicalKeys?(raw: Readonly<Record<string, unknown>>): Record<string, unknown>;
  init(init: StrategyInit<Settings>): S;
  decide(state: S, closedCandle: Candle, market: MarketSpec): StrategyResult<S>;
  onFill(state: S, fill: Fill): StrategyResult<S>;
  onOrderClosed(state: S, event: OrderClosedEvent): StrategyResult<S>;
  /**
   * Optional: the trader commands the strategy accepts (docs/adr/0018-trader-commands.md). Absent or empty = none;
   * a command of another type is refused before it reaches the bot (API: 400).
   */
  readonly commands?: readonly StrategyCommandType[];
  /** Optional: strategy-specific checks of a well-formed, accepted command (issues = refused, API: 400). */
  checkCommand?(command: StrategyCommand): readonly SettingsIssue[];
  /**
   * A trader command, applied after the decision on the last closed candle (pure, like decide/onFill). What the
   * state does not allow (no position to protect, a price on the wrong side) is not an error: the strategy records
   * why in its state and answers no intents. Orders it places are keyed `${botId}:cmd:${command.id}>${kind}:${i}`.
   */
  onCommand?(state: S, command: CommandInput, market?: MarketSpec): StrategyResult<S>;
  /** Optional: the margin mode the original strategy trades perpetuals with (runs may override). Default isolated. */
  readonly defaultMarginMode?: 'isolated' | 'cross';
  /**
   * Optional: the strategy's own statistics for a report (e.g. a grid's per-level round trips), read from a state.
   * Plain numbers only; names in snake_case.
   */
  stats?(state: S): Readonly<Record<string, number>>;
  /**
   * Optional: report one trade per reducing fill (priced against the position's average entry, as the exchange
   * realizes it) instead of one per position from flat to flat — for strategies whose position never goes flat
   * (grids). Default false.
   */
  readonly tradesPerFill?: boolean;
  /**
   * Optional: a settings change on a running bot (a journaled input, validated by parseSettings first): the new state
   * and what it must do now (a grid cancels the orders of the levels that changed; docs/adr/0019-grid-controls-and-stats.md).
   * Default: the state's settings are replaced, nothing else.
   */
  onSettings?(state: S, settings: Settings): StrategyResult<S>;
}

export interface SettingsIssue {
  readonly field: string;
  readonly message: string;
}

/** Thrown by parseSettings; `issues` lists every bad field so an API can answer 400 with details. */
export class StrategySettingsError extends Error {
  readonly code = 'STRATEGY_SETTINGS_INVALID';
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(`invalid strategy settings: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'StrategySettingsError';
  }
}
