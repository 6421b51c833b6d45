import { MarketCandles1732320000000 } from './1732320000000-market-candles';
import { Users1732400000000 } from './1732400000000-users';
import { TradingCore1732500000000 } from './1732500000000-trading-core';
import { BacktestRuns1732600000000 } from './1732600000000-backtest-runs';
import { PaperExchange1732700000000 } from './1732700000000-paper-exchange';
import { Bots1733000000000 } from './1733000000000-bots';
import { GridPortfolios1733190000000 } from './1733190000000-grid-portfolios';
import { TraderControls1733300000000 } from './1733300000000-trader-controls';
import { JournalEntryHash1733400000000 } from './1733400000000-journal-entry-hash';
import { Telegram1733500000000 } from './1733500000000-telegram';
import { PaperBooksVersion1733650000000 } from './1733650000000-paper-books-version';
/**
 * Every committed migration, in order. Listed explicitly (no glob) so the same array works from the compiled
 * apps, the TypeORM CLI (ormconfig.ts) and the test runner. Add one line per new migration.
 */
export const MIGRATIONS: Function[] = [
  MarketCandles1732320000000,
  Users1732400000000,
  TradingCore1732500000000,
  BacktestRuns1732600000000,
  PaperExchange1732700000000,
  Bots1733000000000,
  GridPortfolios1733190000000,
  TraderControls1733300000000,
  JournalEntryHash1733400000000,
  Telegram1733500000000,
  PaperBooksVersion1733650000000,
];
