// Deliberate violation (linted by test/lint-boundaries.spec.ts): the positions core may not import accounts (only its HTTP edge may).
import type { ExchangeAccountsService } from '@tb/accounts';
import type { Candle } from '@tb/strategies';

export type Nope = [ExchangeAccountsService, Candle];
