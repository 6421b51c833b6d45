/*
 * Per-level state machine (hummingbot GridExecutor: NOT_ACTIVE → OPEN_ORDER_PLACED → OPEN_ORDER_FILLED →
 * CLOSE_ORDER_PLACED → COMPLETE):
 *
 *   idle ──place entry──▶ open_order ──entry complete──▶ filled ──place TP──▶ closing_order ──TP complete──▶ done
 *    ▲                      │   (cancel/reject, nothing filled) → idle              │ (TP cancel/reject) → filled
 *    └───────re-arm──────── done            (cancel after a partial fill) → filled   filled/closing_order → done on a stop
 *
 * Every move goes through `moveSlot`, which throws on any other transition: an illegal move is a bug,
 * never a state the grid can be left in.
 */

export const SLOT_STATUSES = ['idle', 'open_order', 'filled', 'closing_order', 'done'] as const;
export type SlotStatus = (typeof SLOT_STATUSES)[number];
export type GridLeg = 'long' | 'short';

const ALLOWED: Record<SlotStatus, readonly SlotStatus[]> = {
  idle: ['open_order'],
  open_order: ['idle', 'filled'],
  filled: ['closing_order', 'done'],
  closing_order: ['filled', 'done'],
  done: ['idle'],
};

export function canMoveSlot(from: SlotStatus, to: SlotStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** `canMoveSlot` as a switch (the table's keyed read by a status string is a megamorphic lookup on every move). */
function legalMove(from: SlotStatus, to: SlotStatus): boolean {
  switch (from) {
    case 'idle':
      return to === 'open_order';
    case 'open_order':
      return to === 'idle' || to === 'filled';
    case 'filled':
      return to === 'closing_order' || to === 'done';
    case 'closing_order':
      return to === 'filled' || to === 'done';
    case 'done':
      return to === 'idle';
  }
}

export interface GridSlot {
  /** Absolute level index (adaptive: 1..gridNum; range: base..base+gridNum, stable across trailing shifts). */
  j: number;
  st: SlotStatus;
  /** Which leg the slot trades while it is not idle. */
  leg: GridLeg;
  openKey: string | null;
  openPrice: number;
  openAmount: number;
  /** Base filled by the entry order, and its quote cost. */
  filled: number;
  cost: number;
  /** Fees of the entry and exit fills (quote). */
  fees: number;
  closeKey: string | null;
  closePrice: number;
  /** Base closed by take-profit fills, and their quote proceeds. */
  closed: number;
  proceeds: number;
  /** Consecutive rejections of this slot's orders; after 3 the slot is left alone (note says why). */
  rejects: number;
  /** Why the slot carries no order although it could (below minimums, rejected, ...), else null. */
  note: string | null;
}

export function createSlot(j: number): GridSlot {
  return {
    j,
    st: 'idle',
    leg: 'long',
    openKey: null,
    openPrice: 0,
    openAmount: 0,
    filled: 0,
    cost: 0,
    fees: 0,
    closeKey: null,
    closePrice: 0,
    closed: 0,
    proceeds: 0,
    rejects: 0,
    note: null,
  };
}

export class IllegalSlotTransitionError extends Error {
  readonly code = 'GRID_ILLEGAL_SLOT_TRANSITION';
  constructor(
    readonly level: number,
    readonly from: SlotStatus,
    readonly to: SlotStatus,
  ) {
    super(`grid level ${level}: illegal transition ${from} -> ${to}`);
    this.name = 'IllegalSlotTransitionError';
  }
}

/** Moves a slot, asserting the transition is legal. Entering `idle` clears the slot's order data. */
export function moveSlot(slot: GridSlot, to: SlotStatus): void {
  if (!legalMove(slot.st, to)) throw new IllegalSlotTransitionError(slot.j, slot.st, to);
  slot.st = to;
  if (to === 'idle') {
    slot.openKey = null;
    slot.openPrice = 0;
    slot.openAmount = 0;
    slot.filled = 0;
    slot.cost = 0;
    slot.fees = 0;
    slot.closeKey = null;
    slot.closePrice = 0;
    slot.closed = 0;
    slot.proceeds = 0;
  }
}

/** Base still held by the slot (entry filled minus closed by its take-profit). */
export function slotHeld(slot: GridSlot): number {
  const h = slot.filled - slot.closed;
  return h > 1e-12 ? h : 0;
}
