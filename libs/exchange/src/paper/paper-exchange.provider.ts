import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@tb/config';
import { isPerpSymbol } from '@tb/strategies';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { CcxtExchange } from '../ccxt/ccxt.exchange';
import type { ExchangePort } from '../exchange.port';
import { PaperExchangeRepository, paperSqlFromTransactionHost } from './paper-exchange.repository';
import { PaperExchange } from './paper.exchange';
import { TickerFeed, type PaperPrice, type PaperPriceFeed } from './paper-price.feed';

/** What the paper exchange needs to know about an account (the accounts lib passes its account row). */
export interface PaperAccountRef {
  readonly id: string;
  /** opening balances (decimal strings); default DEFAULT_PAPER_BALANCES */
  readonly paperBalances?: Record<string, string> | null;
}

/**
 * Chooses the price feed of a paper account. The PaperExchange of an account is built once per process (the
 * accounts lib caches it), so `feedFor` is called once per account. The default serves every account from the
 * public ticker; to give an account (or one of its symbols) a replay feed, provide another class for this
 * token in `PaperExchangeModule` (a resolver may return a feed that routes each symbol to its own source).
 */
export abstract class PaperPriceFeedResolver {
  abstract feedFor(account: PaperAccountRef): PaperPriceFeed;
}

/**
 * Live prices for paper accounts: the public ticker of Binance (spot symbols) or Binance USDⓈ-M (perpetuals),
 * through keyless ccxt clients created on first use.
 */
export class PublicTickerFeed implements PaperPriceFeed {
  private readonly feeds = new Map<string, TickerFeed>();
  constructor(private readonly make: (exchangeId: 'binance' | 'binanceusdm') => ExchangePort) {}

  latest(symbol: string): Promise<PaperPrice | null> {
    const id = isPerpSymbol(symbol) ? 'binanceusdm' : 'binance';
    let feed = this.feeds.get(id);
    if (!feed) {
      feed = new TickerFeed(this.make(id));
      this.feeds.set(id, feed);
    }
    return feed.latest(symbol);
  }
}

/** The default resolver: one public ticker feed (one keyless ccxt client per exchange) shared by every paper account. */
@Injectable()
export class PublicTickerFeedResolver extends PaperPriceFeedResolver {
  private readonly logger = new Logger('PaperPriceFeed');
  private readonly feed: PublicTickerFeed;

  constructor(config: AppConfig) {
    super();
    this.feed = new PublicTickerFeed(
      (exchangeId) =>
        new CcxtExchange({
          exchangeId,
          accountId: `public-${exchangeId}`,
          urls: config.exchange.apiUrls[exchangeId],
          timeoutMs: config.exchange.timeoutMs,
          logger: { warn: (m) => this.logger.warn(m) },
        }),
    );
  }

  feedFor(): PaperPriceFeed {
    return this.feed;
  }
}

/**
 * Builds the PaperExchange of a paper account: its state in PostgreSQL (through the app's TransactionHost; the
 * paper exchange's writes never join the caller's transaction) and the feed the resolver chooses.
 */
@Injectable()
export class PaperExchangeProvider {
  private readonly repository: PaperExchangeRepository;

  constructor(
    txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly feeds: PaperPriceFeedResolver,
  ) {
    this.repository = new PaperExchangeRepository(paperSqlFromTransactionHost(txHost));
  }

  create(account: PaperAccountRef): PaperExchange {
    return new PaperExchange({
      accountId: account.id,
      repository: this.repository,
      feed: this.feeds.feedFor(account),
      ...(account.paperBalances ? { initialBalances: account.paperBalances } : {}),
    });
  }
}
