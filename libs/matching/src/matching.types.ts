import type { Fill, MarketSpec, OrderClosedEvent, OrderType, PositionSide } from '@tb/strategies';

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
  /** Perpetuals only: leverage of every position (isolated margin). Default 1. */
  readonly leverage?: number;
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
  /** Isolated margin (perp); 0 for spot. */
  readonly margin: number;
  /** Liquidation price (perp); null when none (spot, flat, or unreachable). */
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
  readonly reduceOnly: boolean;
  readonly tag: string;
}
