import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@tb/config';
import { ExchangeFactory } from '@tb/accounts';
import { CcxtExchange, PaperExchangeFactory, TickerFeed, type ExchangePort, type PaperPrice, type PaperPriceFeed } from '@tb/exchange';

/**
 * Live prices for paper accounts: the public ticker of Binance (spot symbols) or Binance USDⓈ-M (perpetuals),
 * through keyless ccxt clients created on first use.
 */
export class PublicTickerFeed implements PaperPriceFeed {
  private readonly feeds = new Map<string, TickerFeed>();
  constructor(private readonly make: (exchangeId: 'binance' | 'binanceusdm') => ExchangePort) {}

  latest(symbol: string): Promise<PaperPrice | null> {
    const id = symbol.includes(':') ? 'binanceusdm' : 'binance';
    let feed = this.feeds.get(id);
    if (!feed) {
      feed = new TickerFeed(this.make(id));
      this.feeds.set(id, feed);
    }
    return feed.latest(symbol);
  }
}

/** Makes `exchange: 'paper'` accounts work: the paper exchange (one matching engine) persisted in PostgreSQL. */
@Injectable()
export class PaperTradingRegistration implements OnModuleInit {
  private readonly logger = new Logger(PaperTradingRegistration.name);

  constructor(
    private readonly factory: ExchangeFactory,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const feed = new PublicTickerFeed(
      (exchangeId) =>
        new CcxtExchange({
          exchangeId,
          accountId: `public-${exchangeId}`,
          urls: this.config.exchange.apiUrls[exchangeId],
          timeoutMs: this.config.exchange.timeoutMs,
          logger: { warn: (m) => this.logger.warn(m) },
        }),
    );
    const paper = new PaperExchangeFactory(this.dataSource, feed);
    this.factory.registerPaperFactory((account) => paper.create(account.id, account.paperBalances ?? undefined));
  }
}
