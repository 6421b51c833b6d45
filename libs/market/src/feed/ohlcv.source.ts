import { CcxtExchange, ExchangeError, isSupportedExchangeId, type ExchangeLogger, type RetryOptions } from '@tb/exchange';
import type { Candle, Timeframe } from '@tb/strategies';

/** Public candles of one exchange series. */
export interface OhlcvSource {
  /** Candles from open time `since` (ms), oldest first, at most `limit`. The last one may still be forming. */
  fetchOHLCV(exchange: string, symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]>;
}

export interface CcxtOhlcvSourceOptions {
  /** ccxt `urls.api` overrides per exchange id (the config's EXCHANGE_API_URLS) */
  readonly apiUrls?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly timeoutMs?: number;
  readonly rateLimitMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly logger?: ExchangeLogger;
}

/** Account id of the keyless ccxt instances (one per exchange, shared by every feed of that exchange). */
export const PUBLIC_FEED_ACCOUNT_ID = 'public-feed';

/**
 * OhlcvSource over keyless CcxtExchange adapters (public endpoints only: no credentials ever): the adapter's
 * retry policy, error mapping and market cache apply. Call `close()` on shutdown.
 */
export class CcxtOhlcvSource implements OhlcvSource {
  private readonly exchanges = new Map<string, CcxtExchange>();

  constructor(private readonly options: CcxtOhlcvSourceOptions = {}) {}

  fetchOHLCV(exchange: string, symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<Candle[]> {
    return this.exchangeFor(exchange).fetchOHLCV(symbol, timeframe, since, limit);
  }

  async close(): Promise<void> {
    const all = [...this.exchanges.values()];
    this.exchanges.clear();
    await Promise.allSettled(all.map((e) => e.close()));
  }

  private exchangeFor(exchangeId: string): CcxtExchange {
    const cached = this.exchanges.get(exchangeId);
    if (cached) return cached;
    if (!isSupportedExchangeId(exchangeId)) throw new ExchangeError(`unsupported exchange "${exchangeId}" for a live candle feed`);
    const o = this.options;
    const ex = new CcxtExchange({
      exchangeId,
      accountId: PUBLIC_FEED_ACCOUNT_ID,
      urls: o.apiUrls?.[exchangeId],
      timeoutMs: o.timeoutMs,
      rateLimitMs: o.rateLimitMs,
      retry: o.retry,
      logger: o.logger,
    });
    this.exchanges.set(exchangeId, ex);
    return ex;
  }
}
