import Decimal from 'decimal.js';
import type { OrderSide, PositionSide } from '@tb/strategies';

/**
 * Position accounting from fills, in exact decimal arithmetic (decimal.js; values travel as decimal strings to
 * and from numeric columns). One function folds a fill into a position; recomputing a position from the
 * exchange's trades is the same fold, so the two can be compared exactly.
 *
 * - A fill on the position's opening side (buy for long, sell for short) increases it: the average entry is the
 *   size-weighted mean of the entries.
 * - A fill on the other side reduces it: realized PnL += (price − average) × amount (× −1 for short). A reduce
 *   larger than the position is clamped to the position (the excess is reported, never turned into the
 *   opposite side: hedge-mode sides are separate positions).
 * - Fees are accumulated in quote currency; realized PnL is gross, net = realized − fees − funding.
 */
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export interface PositionState {
  size: string;
  averageEntry: string | null;
  realizedPnl: string;
  fees: string;
  fillCount: number;
}

export interface FillInput {
  side: OrderSide;
  positionSide: PositionSide;
  amount: string | number;
  price: string | number;
  feeQuote: string | number;
}

export interface FillEffect {
  state: PositionState;
  opened: boolean; // size went from 0 to > 0
  closed: boolean; // size went from > 0 to 0
  realized: string; // PnL realized by this fill
  excess: string; // part of a reduce beyond the position (ignored)
}

export const EMPTY_POSITION: PositionState = { size: '0', averageEntry: null, realizedPnl: '0', fees: '0', fillCount: 0 };

/** Decimal places kept for average prices (money columns are numeric; this bounds repeating decimals). */
const AVG_DP = 18;

export function isIncrease(side: OrderSide, positionSide: PositionSide): boolean {
  return (positionSide === 'long' && side === 'buy') || (positionSide === 'short' && side === 'sell');
}

export function applyFill(state: PositionState, fill: FillInput): FillEffect {
  const size = new Decimal(state.size);
  const amount = new Decimal(fill.amount);
  const price = new Decimal(fill.price);
  const fees = new Decimal(state.fees).plus(fill.feeQuote);
  if (isIncrease(fill.side, fill.positionSide)) {
    const newSize = size.plus(amount);
    const avg = state.averageEntry === null || size.isZero() ? price : size.times(state.averageEntry).plus(amount.times(price)).div(newSize);
    return {
      state: { size: newSize.toString(), averageEntry: avg.toDecimalPlaces(AVG_DP).toString(), realizedPnl: state.realizedPnl, fees: fees.toString(), fillCount: state.fillCount + 1 },
      opened: size.isZero() && newSize.gt(0),
      closed: false,
      realized: '0',
      excess: '0',
    };
  }
  const reduce = Decimal.min(amount, size);
  const excess = amount.minus(reduce);
  const sign = fill.positionSide === 'long' ? 1 : -1;
  const realized = state.averageEntry === null ? new Decimal(0) : price.minus(state.averageEntry).times(reduce).times(sign);
  const newSize = size.minus(reduce);
  return {
    state: {
      size: newSize.toString(),
      averageEntry: newSize.isZero() ? state.averageEntry : state.averageEntry,
      realizedPnl: new Decimal(state.realizedPnl).plus(realized).toString(),
      fees: fees.toString(),
      fillCount: state.fillCount + 1,
    },
    opened: false,
    closed: size.gt(0) && newSize.isZero(),
    realized: realized.toString(),
    excess: excess.toString(),
  };
}

/** A position recomputed from scratch from its fills, oldest first (lifecycles restart when it goes flat). */
export function recomputePosition(fills: readonly FillInput[]): PositionState {
  let state = EMPTY_POSITION;
  for (const f of fills) {
    const effect = applyFill(state, f);
    state = effect.closed ? { ...EMPTY_POSITION } : effect.state;
  }
  return state;
}

/** Unrealized PnL at `mark`. */
export function unrealizedPnl(state: PositionState, side: PositionSide, mark: number | string): string {
  if (state.averageEntry === null || new Decimal(state.size).isZero()) return '0';
  const diff = new Decimal(mark).minus(state.averageEntry).times(state.size);
  return (side === 'long' ? diff : diff.neg()).toString();
}

/**
 * Estimated liquidation price of an isolated USDT-margined position (maintenance margin rate `mmr`):
 * long: entry × (1 − 1/leverage + mmr); short: entry × (1 + 1/leverage − mmr). Null for spot / leverage 1 long.
 */
export function liquidationPriceEstimate(state: PositionState, side: PositionSide, leverage: number, mmr = 0.005): string | null {
  if (state.averageEntry === null || leverage <= 1) return null;
  const entry = new Decimal(state.averageEntry);
  const inv = new Decimal(1).div(leverage);
  const p = side === 'long' ? entry.times(new Decimal(1).minus(inv).plus(mmr)) : entry.times(new Decimal(1).plus(inv).minus(mmr));
  return p.toDecimalPlaces(8).toString();
}
