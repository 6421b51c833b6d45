import type { Fill, MarketSpec, OrderClosedEvent, OrderType, PositionSide } from '@tb/strategies';

export type MarginMode = 'isolated' | 'cross';

/** When a resting limit order fills: `through` = price must trade strictly beyond the limit; `touch` = reaching it is enough. */
export type LimitFillRule = 'through' | 'touch';

/** One funding rate observation of a perpetual (rate per funding interval, e.g. 0.0001 = 0.01%). */
export interface FundingRate {
  readonly time: number; // ms UTC
  readonly rate: number;
}

export interface MatchingConfig {
  readonly market: MarketSpec;
  /** Starting quote balance (USDT). */
  readonly initialBalance: number;
  /** Fee rates as fractions (0.0002 = 0.02%). Maker for resting limits, taker for market/stop/marketable limits. */
  readonly feeMaker: number;
  readonly feeTaker: number;
  /** Adverse slippage as a fraction of price, applied to market fills, stop fills and marketable limits (capped at the limit). */
  readonly slippage: number;
  /** Default `through`. */
  readonly limitFill?: LimitFillRule;
  /** Perpetuals only: leverage of every position. Default 1. */
  readonly leverage?: number;
  /**
   * Perpetuals only (docs/adr/0011-cross-margin-and-funding.md). `isolated` (default): each side's margin is its
   * initial margin and only that side is liquidated; `cross`: the whole wallet backs every position and the account
   * is liquidated (every position closed) when its equity falls to the maintenance margin.
   */
  readonly marginMode?: MarginMode;
  /**
   * Duration of the bars given to `processBar` (ms). With it, a funding time inside a bar is applied where the
   * intra-candle walk reaches it (open at the bar's open time, the first extreme at 1/3, the second at 2/3, the close
   * at the end; linear in between), at the walk's price there. Without it, funding due by a bar's open is applied
   * at that open.
   */
  readonly barMs?: number;
  /**
   * How many keys of finished orders are remembered (at least; up to twice as many) to reject their reuse
   * (`duplicate_key`). Keys of resting orders are always known. Default 4096 (memory stays flat over millions of
   * orders); Infinity = all; 0 = none.
   */
  readonly rememberFinishedKeys?: number;
  /** Perpetuals only: maintenance margin rate. Default 0.005 (0.5%). */
  readonly maintenanceMarginRate?: number;
  /** Perpetuals only: funding series, ascending by time. */
  readonly funding?: readonly FundingRate[];
}

/** How an execution was priced. `liquidation` fills are produced by the engine itself. */
export type Liquidity = 'maker' | 'taker';

export interface FillEvent {
  readonly type: 'fill';
  readonly fill: Fill;
  /** 'liquidation' for engine-made forced closes; otherwise the order's type. */
  readonly orderType: OrderType | 'liquidation';
  readonly liquidity: Liquidity;
  readonly reduceOnly: boolean;
  /** true when the fill increased the position on `fill.positionSide`, false when it reduced it. */
  readonly increase: boolean;
  /** Realized PnL of this fill (price PnL only; fees are in fill.fee). 0 for increasing fills. */
  readonly realizedPnl: number;
  /** Position on fill.positionSide after the fill. */
  readonly positionQty: number;
  readonly positionAvgPrice: number;
}

export interface OrderClosedEngineEvent {
  readonly type: 'closed';
  readonly event: OrderClosedEvent;
  /** The tag of the closed order (empty when the key was unknown). */
  readonly tag: string;
}

export interface FundingEvent {
  readonly type: 'funding';
  readonly time: number;
  readonly positionSide: PositionSide;
  readonly rate: number;
  readonly price: number;
  /** Quote paid by the account (negative = received). */
  readonly amount: number;
}

export type EngineEvent = FillEvent | OrderClosedEngineEvent | FundingEvent;

/** Receives every event as it happens; may answer with intents, which the engine applies at once (same price point). */
export type EngineEventHandler = (event: EngineEvent) => readonly import('@tb/strategies').Intent[] | undefined | void;

/** A read-only view of one side's position. */
export interface PositionView {
  readonly positionSide: PositionSide;
  readonly qty: number;
  readonly avgPrice: number;
  /** Initial margin of the position (perp; isolated: also reduced by funding); 0 for spot. */
  readonly margin: number;
  /** Liquidation price (perp; cross: the account's, shared by both sides); null when none (spot, flat, or unreachable). */
  readonly liquidationPrice: number | null;
}

export interface RestingOrderView {
  readonly key: string;
  readonly type: OrderType;
  readonly side: 'buy' | 'sell';
  readonly positionSide: PositionSide;
  readonly amount: number;
  readonly price?: number;
  readonly triggerPrice?: number;
  /** trailing stops: the distance the trigger keeps from the best price seen */
  readonly trailingOffset?: number;
  readonly reduceOnly: boolean;
  readonly tag: string;
}
