import { IllegalStateTransitionError } from '@tb/common';

/** PENDING → OPEN → PARTIALLY_FILLED → FILLED | CANCELED | REJECTED | EXPIRED (docs/architecture.md §4). No other moves. */
export const ORDER_STATUSES = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'];
export const UNRESOLVED_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED'];

const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  // a market order can go straight to FILLED; a fill seen before the ack can skip OPEN
  PENDING: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'],
  OPEN: ['PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  PARTIALLY_FILLED: ['FILLED', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  CANCELED: [],
  REJECTED: [],
  EXPIRED: [],
};

export function isTerminal(s: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(s);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ALLOWED[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalStateTransitionError('order', from, to);
}

/** Our status for an exchange order (ccxt unified status + fill progress). */
export function statusFromExchange(status: 'open' | 'closed' | 'canceled' | 'rejected' | 'expired', filled: number, amount: number): OrderStatus {
  switch (status) {
    case 'open':
      return filled > 0 ? 'PARTIALLY_FILLED' : 'OPEN';
    case 'closed':
      return filled > 0 && filled + 1e-12 < amount ? 'CANCELED' : 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'rejected':
      return 'REJECTED';
    case 'expired':
      return 'EXPIRED';
  }
}
