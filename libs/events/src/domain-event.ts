/** Domain events published on Redis Streams (at-least-once; consumers are idempotent by `eventId`). */
export const EVENT_TYPES = ['order.filled', 'order.canceled', 'position.opened', 'position.closed', 'bot.started', 'bot.stopped', 'bot.paused', 'bot.error', 'user.disabled'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface DomainEvent<T = Record<string, unknown>> {
  readonly eventId: string;
  readonly type: EventType;
  readonly userId: string | null;
  readonly payload: T;
  readonly createdAt: string;
}

export interface OrderFilledPayload {
  orderId: string;
  clientOrderId: string;
  accountId: string;
  botId: string | null;
  symbol: string;
  side: string;
  positionSide: string;
  amount: string;
  filled: string;
  averagePrice: string | null;
  tag: string;
}
