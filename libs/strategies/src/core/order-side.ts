import type { OrderSide, PositionSide } from './contract';

/**
 * Whether an order opens (increases) a position: not reduce-only, and buying into a long or selling into a
 * short. Everything else reduces or closes. The one statement of the rule (the paper exchange's fund checks
 * and reservations use it; the matching engine states it once at placement).
 */
export function isOpeningOrder(o: { readonly side: OrderSide; readonly positionSide: PositionSide; readonly reduceOnly?: boolean }): boolean {
  return !o.reduceOnly && (o.positionSide === 'long' ? o.side === 'buy' : o.side === 'sell');
}

/**
 * The key under which a strategy hears of the liquidation of its `positionSide` position at `time` (a fill it never
 * asked for). The matching engine names its liquidation fills so in backtests; the OMS gives a liquidation the
 * exchange reports the same key, so a bot's strategy sees what its backtest saw.
 */
export function liquidationKey(positionSide: PositionSide, time: number): string {
  return `${positionSide}:liquidation:${time}`;
}
