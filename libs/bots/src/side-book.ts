import type { OrderSide, PositionSide } from '@tb/strategies';

/** One side's position as a bot books it from its fills: size and average entry price (0 when flat). */
export interface SideBook {
  qty: number;
  avg: number;
}

type SideFill = { readonly side: OrderSide; readonly positionSide: PositionSide; readonly amount: number; readonly price: number };

/** A buy adds to the long side, a sell to the short side; the opposite reduces it. */
export function increasesSide(f: SideFill): boolean {
  return f.positionSide === 'long' ? f.side === 'buy' : f.side === 'sell';
}

/**
 * Folds one fill into its side's book in place, the way the matching engine books it: an increase moves the
 * average entry; a reduction realizes (price − average) × its amount and leaves the side flat (size and average 0)
 * once at most float dust remains. A reduction beyond the held size (books started after the position was opened)
 * realizes only the held size: nothing when the book is flat. Returns the gross realized PnL (0 for an increase).
 * The one place a bot's average entry per side is kept (its trades, its protections' books).
 */
export function foldSideFill(p: SideBook, f: SideFill): number {
  if (increasesSide(f)) {
    const q = p.qty + f.amount;
    p.avg = p.qty > 0 ? (p.avg * p.qty + f.price * f.amount) / q : f.price;
    p.qty = q;
    return 0;
  }
  // the engine fills a close of exactly the position by its own amount even when the summed lots differ by float dust
  const closed = f.amount > p.qty * (1 + 1e-9) ? p.qty : f.amount;
  const realized = (f.price - p.avg) * closed * (f.positionSide === 'long' ? 1 : -1);
  p.qty -= f.amount;
  if (p.qty <= 1e-12) {
    p.qty = 0;
    p.avg = 0;
  }
  return realized;
}
