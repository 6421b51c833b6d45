// Linted by test/lint-boundaries.spec.ts: the positions HTTP edge may import accounts and users, never orders (orders sits above positions).
import type { ExchangeAccountsService } from '@tb/accounts';
import type { AuthPrincipal } from '@tb/users';
import type { OrdersService } from '@tb/orders';

export type Edge = [ExchangeAccountsService, AuthPrincipal, OrdersService];
