import { describe, expect, it } from 'vitest';
import { IllegalSlotTransitionError, SLOT_STATUSES, type SlotStatus, canMoveSlot, createSlot, moveSlot } from './grid-slot.state';

describe('grid level state machine', () => {
  // The legal moves, written out from the hummingbot-style diagram.
  const legal = new Set([
    'idle>open_order',
    'open_order>idle', 'open_order>filled',
    'filled>closing_order', 'filled>done',
    'closing_order>filled', 'closing_order>done',
    'done>idle',
  ]);

  it('allows exactly the legal transitions and throws on every other one', () => {
    for (const from of SLOT_STATUSES) {
      for (const to of SLOT_STATUSES) {
        const slot = createSlot(7);
        slot.st = from as SlotStatus;
        const ok = legal.has(`${from}>${to}`);
        expect(canMoveSlot(from, to)).toBe(ok);
        if (ok) {
          moveSlot(slot, to);
          expect(slot.st).toBe(to);
        } else {
          expect(() => moveSlot(slot, to)).toThrow(IllegalSlotTransitionError);
          expect(slot.st).toBe(from);
        }
      }
    }
  });

  it('entering idle clears the order data', () => {
    const slot = createSlot(3);
    moveSlot(slot, 'open_order');
    slot.openKey = 'k';
    slot.filled = 1;
    moveSlot(slot, 'idle');
    expect(slot).toEqual(createSlot(3));
  });
});
