// Deliberate violation (linted by test/lint-boundaries.spec.ts): bots may not import users outside its HTTP files.
import type { UsersService } from '@tb/users';
import type { OrdersService } from '@tb/orders';

export type Nope = [UsersService, OrdersService];
