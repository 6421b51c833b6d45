import type { TransactionHost, TransactionalAdapterTypeOrm } from '@tb/database';
import { PaperExchange, type PaperExchangeOptions } from './paper.exchange';
import { PaperExchangeRepository, paperSqlFromTransactionHost, type PaperSql } from './paper-exchange.repository';
import type { PaperPriceFeed } from './paper-price.feed';

/** Options shared by every paper account the factory creates (fees, slippage, leverage, markets, clock...). */
export type PaperExchangeDefaults = Omit<PaperExchangeOptions, 'accountId' | 'repository' | 'feed' | 'initialBalances'>;

/**
 * Builds PaperExchange instances over one database and one price feed (or one feed per account), outside Nest
 * (tests, scripts). In the apps, PaperExchangeProvider (PaperExchangeModule) builds them for the accounts lib.
 * Give it a PaperSql (e.g. `paperSqlFromDataSource(ds)`) or the app's TransactionHost.
 */
export class PaperExchangeFactory {
  private readonly repository: PaperExchangeRepository;

  constructor(
    db: TransactionHost<TransactionalAdapterTypeOrm> | PaperSql,
    private readonly feed: PaperPriceFeed | ((accountId: string) => PaperPriceFeed),
    private readonly defaults: PaperExchangeDefaults = {},
  ) {
    this.repository = new PaperExchangeRepository(toPaperSql(db));
  }

  create(accountId: string, initialBalances?: Record<string, string>): PaperExchange {
    return new PaperExchange({
      ...this.defaults,
      accountId,
      repository: this.repository,
      feed: typeof this.feed === 'function' ? this.feed(accountId) : this.feed,
      ...(initialBalances ? { initialBalances } : {}),
    });
  }
}

function toPaperSql(db: TransactionHost<TransactionalAdapterTypeOrm> | PaperSql): PaperSql {
  return 'withTransaction' in db ? paperSqlFromTransactionHost(db) : db;
}
