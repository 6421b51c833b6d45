import Decimal from 'decimal.js';
import { gridLevelPrice, type GridState, type SlotStatus } from '@tb/strategies';
import type { OrderEntity } from '@tb/orders';

/** An order of a level as the OMS has it. */
export interface LevelOrderView {
  readonly key: string;
  readonly status: string;
  readonly side: 'buy' | 'sell';
  readonly price: string | null;
  readonly amount: string;
  readonly filled: string;
}

/** One level of a grid: its price, what it trades, its state, its orders and its history. */
export interface GridLevelView {
  readonly level: number;
  /** null while an adaptive grid warms up (its levels are not known yet) */
  readonly price: number | null;
  /** the leg the level trades while it is not idle; null when idle */
  readonly side: 'long' | 'short' | null;
  readonly state: SlotStatus;
  /** false for a level outside the current grid that still holds a position (after trailing or an adjust) */
  readonly inGrid: boolean;
  readonly order: LevelOrderView | null;
  readonly takeProfit: LevelOrderView | null;
  /** entry orders of this level that filled (wholly or partly) */
  readonly filledCount: number;
  /** completed round trips' profit at this level: take-profit fills against the level's entries (FIFO), net of fees */
  readonly realizedProfit: string;
  readonly note: string | null;
}

/** Level index of a grid order key: `…:open:j`, `…:tp:j`, `…>rearm:j:seq`, `…>tp:j:seq`; null for other orders. */
export function levelOfGridKey(key: string): number | null {
  const m = /(?:^|[:>])(?:open|rearm|tp):(\d+)(?::\d+)?$/.exec(key);
  return m ? Number(m[1]) : null;
}

const view = (o: OrderEntity | undefined): LevelOrderView | null =>
  o ? { key: o.intentKey, status: o.status, side: o.side, price: o.price, amount: o.amount, filled: o.filled } : null;

/**
 * The levels of a GRID bot (docs/adr/0019-grid-controls-and-stats.md) from its state (levels, slots) and its orders
 * (statuses, fills, fees: numeric strings, decimal math).
 */
export function gridLevels(state: GridState, orders: readonly OrderEntity[]): GridLevelView[] {
  const byKey = new Map(orders.map((o) => [o.intentKey, o]));
  const history = new Map<number, { filledCount: number; profit: Decimal; entries: Array<{ qty: Decimal; price: Decimal; feePerUnit: Decimal }> }>();
  const sorted = [...orders].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.actionSeq) - Number(b.actionSeq));
  for (const o of sorted) {
    const j = levelOfGridKey(o.intentKey);
    const filled = new Decimal(o.filled);
    if (j === null || filled.isZero() || o.averagePrice === null) continue;
    let h = history.get(j);
    if (!h) history.set(j, (h = { filledCount: 0, profit: new Decimal(0), entries: [] }));
    const price = new Decimal(o.averagePrice);
    if (o.tag === 'grid_open') {
      h.filledCount++;
      h.entries.push({ qty: filled, price, feePerUnit: new Decimal(o.fee).div(filled) });
    } else if (o.tag === 'grid_tp') {
      const sign = o.positionSide === 'long' ? 1 : -1;
      let left = filled;
      let pnl = new Decimal(o.fee).neg();
      while (left.gt(0) && h.entries.length > 0) {
        const e = h.entries[0];
        const q = Decimal.min(left, e.qty);
        pnl = pnl.plus(price.minus(e.price).times(q).times(sign)).minus(e.feePerUnit.times(q));
        e.qty = e.qty.minus(q);
        left = left.minus(q);
        if (e.qty.isZero()) h.entries.shift();
      }
      h.profit = h.profit.plus(pnl);
    }
  }
  const range = state.settings.mode === 'range';
  const lo = range ? state.base : 1;
  const hi = range ? state.base + state.settings.gridNum : state.settings.gridNum;
  const canPrice = !range ? state.ladder.length > 0 : true;
  return state.slots.map((slot) => {
    const h = history.get(slot.j);
    return {
      level: slot.j,
      price: canPrice ? gridLevelPrice(state, slot.j) : null,
      side: slot.st === 'idle' ? null : slot.leg,
      state: slot.st,
      inGrid: slot.j >= lo && slot.j <= hi,
      order: slot.openKey ? view(byKey.get(slot.openKey)) : null,
      takeProfit: slot.closeKey ? view(byKey.get(slot.closeKey)) : null,
      filledCount: h?.filledCount ?? 0,
      realizedProfit: (h?.profit ?? new Decimal(0)).toString(),
      note: slot.note,
    };
  });
}
