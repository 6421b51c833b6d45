import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, assertTransition, canTransition, statusFromExchange, type OrderStatus } from './order-status';

describe('order status machine', () => {
  const legal: Array<[OrderStatus, OrderStatus]> = [
    ['PENDING', 'OPEN'], ['PENDING', 'FILLED'], ['PENDING', 'REJECTED'], ['PENDING', 'PARTIALLY_FILLED'],
    ['OPEN', 'PARTIALLY_FILLED'], ['OPEN', 'FILLED'], ['OPEN', 'CANCELED'], ['OPEN', 'EXPIRED'],
    ['PARTIALLY_FILLED', 'FILLED'], ['PARTIALLY_FILLED', 'CANCELED'],
  ];
  it.each(legal)('%s -> %s is allowed', (a, b) => expect(canTransition(a, b)).toBe(true));

  it('rejects every move out of a terminal state and every backwards move', () => {
    for (const from of ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const) {
      for (const to of ORDER_STATUSES) if (to !== from) expect(() => assertTransition(from, to)).toThrow(/cannot move/);
    }
    expect(() => assertTransition('OPEN', 'PENDING')).toThrow();
    expect(() => assertTransition('PARTIALLY_FILLED', 'OPEN')).toThrow();
    expect(() => assertTransition('OPEN', 'REJECTED')).toThrow();
  });

  it('maps exchange states', () => {
    expect(statusFromExchange('open', 0, 1)).toBe('OPEN');
    expect(statusFromExchange('open', 0.5, 1)).toBe('PARTIALLY_FILLED');
    expect(statusFromExchange('closed', 1, 1)).toBe('FILLED');
    expect(statusFromExchange('canceled', 0.2, 1)).toBe('CANCELED');
    expect(statusFromExchange('rejected', 0, 1)).toBe('REJECTED');
  });
});
