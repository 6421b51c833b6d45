// Deliberate violation (linted by test/lint-boundaries.spec.ts): the exchange lib imports a lib above it.
import type { OrdersService } from '@tb/orders';
import type { Candle } from '@tb/strategies';

export type Up = [OrdersService, Candle];
