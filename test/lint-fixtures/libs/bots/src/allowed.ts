// Clean (linted by test/lint-boundaries.spec.ts): every import is on the bots lib's allow-list.
import type { OrdersService } from '@tb/orders';
import type { BacktestResult } from '@tb/backtest';
import type { MarketCandlesRepository } from '@tb/market';

export type Ok = [OrdersService, BacktestResult, MarketCandlesRepository];
