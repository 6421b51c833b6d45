import type { MarketSpec, PositionSide } from '../core/contract';
import { ceilPrice, floorAmount, floorPrice, roundPrice } from '../core/precision';
import type { DcaMode, EntryMode, HyperrsiSettings, PriceOffsetMode } from './hyperrsi.settings';

/*
 * Pure HYPERRSI formulas (docs/strategy-rules.md §2.2, §2.5–§2.8). No state, no allocation in the
 * per-candle ones; the strategy and the API ("show me the levels") both use them.
 */

/** Long signal (`is_oversold`) for one entry mode, from the previous and current RSI (§2.2). */
export function isLongSignal(mode: EntryMode, prev: number, curr: number, oversold: number): boolean {
  switch (mode) {
    case 'cross_into':
      return prev > oversold && curr <= oversold;
    case 'turn_inside':
      return (prev < oversold || curr < oversold) && curr > prev;
    case 'cross_out':
      return curr >= oversold && prev < oversold;
    case 'in_zone':
      return curr < oversold;
  }
}

/** Short signal (`is_overbought`) for one entry mode (§2.2). */
export function isShortSignal(mode: EntryMode, prev: number, curr: number, overbought: number): boolean {
  switch (mode) {
    case 'cross_into':
      return prev < overbought && curr >= overbought;
    case 'turn_inside':
      return (prev > overbought || curr > overbought) && curr < prev;
    case 'cross_out':
      return curr <= overbought && prev > overbought;
    case 'in_zone':
      return curr > overbought;
  }
}

/** ATR floored at 0.1% of the price, as the original does for DCA/TP/SL distances (missing ATR -> the floor). */
export function effectiveAtr(atr: number | null, price: number): number {
  const floor = price * 0.001;
  return atr !== null && atr > floor ? atr : floor;
}

/** One DCA step from `from` (§2.5): percent, fixed price amount, or ATR multiple; long steps down, short up. */
export function nextDcaLevel(mode: DcaMode, value: number, side: PositionSide, from: number, atr: number): number {
  const m = side === 'long' ? 1 : -1;
  switch (mode) {
    case 'percent':
      return from * (1 - (m * value) / 100);
    case 'amount':
      return from - m * value;
    case 'atr':
      return from - m * atr * value;
  }
}

/** The chain of `count` DCA levels from a reference price (the original's `dca_levels`, for display). */
export function dcaLevels(mode: DcaMode, value: number, side: PositionSide, reference: number, atr: number, count: number): number[] {
  const out: number[] = [];
  let prev = reference;
  for (let i = 0; i < count; i++) {
    prev = nextDcaLevel(mode, value, side, prev, atr);
    out.push(prev);
  }
  return out;
}

/** Raw price at a distance from `base`, towards profit (`m = +1`) or loss (`m = -1`) for a long. */
function offsetPrice(mode: PriceOffsetMode, value: number, base: number, dir: number, atr: number): number {
  switch (mode) {
    case 'percent':
      return base * (1 + (dir * value) / 100);
    case 'price':
      return base + dir * value;
    case 'atr':
      return base + dir * atr * value;
  }
}

/**
 * TP1..TP3 prices (§2.6): from the average entry price, clamped to at least avg*1.0001 and current*1.0001 for
 * a long (at most 0.9999x for a short), rounded to the tick, then sorted (ascending long, descending short)
 * across the USED levels. Unused levels are null. `atr` must already be floored (effectiveAtr).
 */
export function takeProfitPrices(
  s: HyperrsiSettings,
  side: PositionSide,
  avg: number,
  current: number,
  atr: number,
  market: Pick<MarketSpec, 'tickSize'>,
): [number | null, number | null, number | null] {
  const m = side === 'long' ? 1 : -1;
  const used = [s.use_tp1, s.use_tp2, s.use_tp3];
  const values = [s.tp1_value, s.tp2_value, s.tp3_value];
  const prices: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (!used[i]) continue;
    let p = offsetPrice(s.tp_option, values[i], avg, m, atr);
    if (m === 1) {
      const bound = Math.max(avg * 1.0001, current * 1.0001);
      if (p < bound) p = bound;
      let r = roundPrice(market, p);
      if (r < bound) r = ceilPrice(market, bound);
      prices.push(r);
    } else {
      const bound = Math.min(avg * 0.9999, current * 0.9999);
      if (p > bound) p = bound;
      let r = roundPrice(market, p);
      if (r > bound) r = floorPrice(market, bound);
      prices.push(r);
    }
  }
  prices.sort((a, b) => (m === 1 ? a - b : b - a));
  const out: [number | null, number | null, number | null] = [null, null, null];
  let k = 0;
  for (let i = 0; i < 3; i++) if (used[i]) out[i] = prices[k++];
  return out;
}

/**
 * Which TP levels are placed (§2.6 last bullet): all used levels, or — when the trailing stop is active — the
 * used levels up to trailing_start_point; the rest of the position is left for the trailing stop.
 */
export function placedTpLevels(s: HyperrsiSettings): boolean[] {
  const used = [s.use_tp1, s.use_tp2, s.use_tp3];
  if (!s.trailing_stop_active) return used;
  const start = Number(s.trailing_start_point.slice(2));
  return used.map((u, i) => u && i + 1 <= start);
}

/**
 * TP amounts per level (0 = not placed) for a position of `size` (§2.6): ratios of the used levels normalised
 * to 1; each placed amount floored to the step and raised to minAmount; the last placed level takes the
 * remainder unless the trailing stop keeps a remainder (start point before the last used level); never more
 * than the position in total.
 */
export function takeProfitAmounts(s: HyperrsiSettings, size: number, market: Pick<MarketSpec, 'amountStep' | 'minAmount'>): [number, number, number] {
  const used = [s.use_tp1, s.use_tp2, s.use_tp3];
  const ratios = [s.tp1_ratio, s.tp2_ratio, s.tp3_ratio];
  let sum = 0;
  for (let i = 0; i < 3; i++) if (used[i]) sum += ratios[i];
  const out: [number, number, number] = [0, 0, 0];
  if (!(sum > 0) || !(size > 0)) return out;
  const placed = placedTpLevels(s);
  let lastPlaced = -1;
  let lastUsed = -1;
  for (let i = 0; i < 3; i++) {
    if (placed[i]) lastPlaced = i;
    if (used[i]) lastUsed = i;
  }
  const remainderToLast = lastPlaced === lastUsed;
  let left = size;
  for (let i = 0; i < 3; i++) {
    if (!placed[i]) continue;
    let a: number;
    if (i === lastPlaced && remainderToLast) a = floorAmount(market, left);
    else {
      a = floorAmount(market, (size * ratios[i]) / sum);
      if (a < market.minAmount && ratios[i] > 0) a = market.minAmount;
      if (a > left) a = floorAmount(market, left);
    }
    if (a < market.minAmount || a <= 0) continue;
    out[i] = a;
    left = floorAmount(market, left - a);
  }
  return out;
}

/** Stop-loss price (§2.7) from the price at entry `p` (not the average); null when not positive. */
export function stopLossPrice(s: HyperrsiSettings, side: PositionSide, p: number, atr: number, market: Pick<MarketSpec, 'tickSize'>): number | null {
  const m = side === 'long' ? 1 : -1;
  const raw = offsetPrice(s.sl_option, s.sl_value, p, -m, atr);
  const r = roundPrice(market, raw);
  return r > 0 ? r : null;
}

/** Trailing offset (§2.8): |TP3 - TP2| or price*offset%, floored at 0.1% of the price. */
export function trailingOffset(s: HyperrsiSettings, price: number, tp2: number | null, tp3: number | null): number {
  let off: number;
  if (s.use_trailing_stop_value_with_tp2_tp3_difference && tp2 !== null && tp3 !== null) off = Math.abs(tp3 - tp2);
  else off = (price * s.trailing_stop_offset_value) / 100;
  const floor = price * 0.001;
  return off > floor ? off : floor;
}

/**
 * `min_sustain_contract_size` (§2.4) in base units: 1% of the entry (0.01% when the TP ratios don't sum to
 * 1 or 100), at least the market's minimum amount (the original's 0.02/0.01-contract floors are OKX minimums).
 */
export function minSustainSize(s: HyperrsiSettings, entrySize: number, minAmount: number): number {
  const ratioSum = s.tp1_ratio + s.tp2_ratio + s.tp3_ratio;
  const pct = Math.abs(ratioSum - 100) < 1e-9 || Math.abs(ratioSum - 1) < 1e-9 ? 0.01 : 0.0001;
  return Math.max(entrySize * pct, minAmount);
}
