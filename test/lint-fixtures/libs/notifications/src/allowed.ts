// Clean (linted by test/lint-boundaries.spec.ts): notifications may import bots, users and what bots may.
import type { BotsService } from '@tb/bots';
import type { UsersService } from '@tb/users';
import type { OrdersService } from '@tb/orders';

export type Ok = [BotsService, UsersService, OrdersService];
