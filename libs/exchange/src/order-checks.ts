import { InvalidOrderError } from './exchange.errors';
import type { CreateOrderRequest, ExchangeMarket } from './exchange.types';

/** How an adapter applies the market's precision: returns 0 when a value truncates/rounds to nothing. */
export interface OrderPrecision {
  amount(raw: number): number;
  price(raw: number): number;
}

export interface CheckedOrder {
  readonly amount: number;
  readonly price?: number;
  readonly triggerPrice?: number;
}

/**
 * The checks every adapter makes before an order is sent (no network): a positive amount that survives
 * truncation and meets the market's minimum/maximum, a price for limit orders and a trigger for stop orders
 * (positive, not rounding to zero), and the minimum notional at the limit/trigger/reference price (not for reduce-only
 * orders on perpetuals, which exchanges exempt).
 * Throws InvalidOrderError with a reason (below_min_amount, below_min_cost, invalid_amount, invalid_price, missing_price).
 */
export function checkOrder(req: CreateOrderRequest, m: ExchangeMarket, precision: OrderPrecision, ctx: Record<string, unknown>): CheckedOrder {
  if (!(Number.isFinite(req.amount) && req.amount > 0)) throw new InvalidOrderError(`order amount must be a positive number, got ${req.amount}`, 'invalid_amount', ctx);
  const amount = precision.amount(req.amount);
  if (!(amount >= m.minAmount) || amount === 0) {
    throw new InvalidOrderError(
      `order amount ${req.amount} ${m.base} is below the minimum ${m.minAmount} ${m.base} for ${m.symbol} (after truncation to step ${m.amountStep}: ${amount})`,
      'below_min_amount',
      { ...ctx, minAmount: m.minAmount, amount },
    );
  }
  if (m.maxAmount !== null && amount > m.maxAmount) {
    throw new InvalidOrderError(`order amount ${amount} ${m.base} is above the maximum ${m.maxAmount} ${m.base} for ${m.symbol}`, 'invalid_amount', { ...ctx, maxAmount: m.maxAmount });
  }
  const rounded = (raw: number): number => {
    if (!(Number.isFinite(raw) && raw > 0)) throw new InvalidOrderError(`price must be a positive number, got ${raw}`, 'invalid_price', ctx);
    const p = precision.price(raw);
    if (!(p > 0)) throw new InvalidOrderError(`price ${raw} rounds to zero on ${m.symbol}`, 'invalid_price', ctx);
    return p;
  };
  let price: number | undefined;
  let triggerPrice: number | undefined;
  if (req.type === 'limit') {
    if (req.price === undefined) throw new InvalidOrderError(`a limit order needs a price (${m.symbol})`, 'missing_price', ctx);
    price = rounded(req.price);
  } else if (req.type === 'stop_market') {
    if (req.triggerPrice === undefined) throw new InvalidOrderError(`a stop_market order needs a triggerPrice (${m.symbol})`, 'missing_price', ctx);
    triggerPrice = rounded(req.triggerPrice);
  }
  const refPrice = price ?? triggerPrice ?? req.referencePrice;
  // perpetual exchanges exempt reduce-only orders from the minimum notional (Binance USDⓈ-M -4164: "unless you choose
  // reduce only"): a take-profit ladder may split a position into parts smaller than the minimum
  const exempt = m.type === 'perp' && req.reduceOnly === true;
  if (refPrice !== undefined && !exempt) checkMinNotional(m, amount, refPrice, ctx);
  return { amount, price, triggerPrice };
}

/** The order's value at `price` must reach the market's minimum notional (when it has one). */
export function checkMinNotional(m: ExchangeMarket, amount: number, price: number, ctx: Record<string, unknown>): void {
  if (!(m.minNotional > 0)) return;
  const cost = Number((amount * price).toPrecision(12));
  if (cost < m.minNotional) {
    throw new InvalidOrderError(`order value ${cost} ${m.quote} (${amount} × ${price}) is below the minimum ${m.minNotional} ${m.quote} for ${m.symbol}`, 'below_min_cost', {
      ...ctx,
      minNotional: m.minNotional,
      cost,
    });
  }
}
