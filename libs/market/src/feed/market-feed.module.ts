import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@tb/config';
import { Clock, SYSTEM_CLOCK_PROVIDER } from '@tb/common';
import { MarketModule } from '../persistence/market.module';
import { MarketCandlesRepository } from '../persistence/market-candles.repository';
import { FeedMetrics } from './feed.metrics';
import { LiveCandleFeed } from './live-candle.feed';
import { CcxtOhlcvSource } from './ohlcv.source';

/** Injection token of the OhlcvSource the live feed reads (a CcxtOhlcvSource over the config's exchange urls). */
export const OHLCV_SOURCE = Symbol('OHLCV_SOURCE');

/** Closes the keyless ccxt adapters at shutdown. */
@Injectable()
class OhlcvSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(OHLCV_SOURCE) private readonly source: CcxtOhlcvSource) {}

  async onApplicationShutdown(): Promise<void> {
    await this.source.close();
  }
}

/**
 * Live candle feeds for the worker: `LiveCandleFeed` (FEED_* config, EXCHANGE_API_URLS overrides), the wall
 * `Clock`, and the feed metrics. Needs TbConfigModule and DatabaseModule in the application.
 */
@Module({
  imports: [MarketModule],
  providers: [
    SYSTEM_CLOCK_PROVIDER,
    FeedMetrics,
    {
      provide: OHLCV_SOURCE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('LiveCandleFeed');
        return new CcxtOhlcvSource({
          apiUrls: config.exchange.apiUrls,
          timeoutMs: config.exchange.timeoutMs,
          rateLimitMs: config.exchange.rateLimitMs,
          logger: { warn: (m) => logger.warn(m), debug: (m) => logger.debug(m) },
        });
      },
    },
    OhlcvSourceCloser,
    {
      provide: LiveCandleFeed,
      inject: [OHLCV_SOURCE, MarketCandlesRepository, Clock, AppConfig, FeedMetrics],
      useFactory: (source: CcxtOhlcvSource, candles: MarketCandlesRepository, clock: Clock, config: AppConfig, metrics: FeedMetrics) =>
        new LiveCandleFeed(source, candles, clock, { ...config.feed }, metrics),
    },
  ],
  exports: [LiveCandleFeed, Clock, FeedMetrics],
})
export class MarketFeedModule {}
