import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@tb/config';
import { CcxtExchange, ExchangePort, PaperExchangeProvider, isSupportedExchangeId, type ExchangeCredentials } from '@tb/exchange';
import { BadRequestError } from '@tb/common';

export interface ExchangeAccountRef {
  readonly id: string;
  readonly exchange: string;
  readonly credentials?: ExchangeCredentials;
  /** paper accounts: opening balances (decimal strings) */
  readonly paperBalances?: Record<string, string> | null;
}

/**
 * Builds (once) and caches the ExchangePort of an account: one adapter, hence one ccxt instance, per
 * exchange + account. Paper accounts (`exchange: 'paper'`) are served by the paper exchange provider.
 */
@Injectable()
export class ExchangeFactory implements OnApplicationShutdown {
  private readonly logger = new Logger(ExchangeFactory.name);
  private readonly cache = new Map<string, ExchangePort>();

  constructor(
    private readonly config: AppConfig,
    private readonly paper: PaperExchangeProvider,
  ) {}

  get(account: ExchangeAccountRef): ExchangePort {
    const cached = this.cache.get(account.id);
    if (cached) return cached;
    const port = this.create(account);
    this.cache.set(account.id, port);
    return port;
  }

  /** Forget an account's adapter (after its keys changed or it was removed). */
  async evict(accountId: string): Promise<void> {
    const port = this.cache.get(accountId);
    this.cache.delete(accountId);
    await port?.close();
  }

  private create(account: ExchangeAccountRef): ExchangePort {
    if (account.exchange === 'paper') return this.paper.create(account);
    if (!isSupportedExchangeId(account.exchange)) throw new BadRequestError(`unsupported exchange ${account.exchange}`);
    return new CcxtExchange({
      exchangeId: account.exchange,
      accountId: account.id,
      credentials: account.credentials,
      urls: this.config.exchange.apiUrls[account.exchange],
      timeoutMs: this.config.exchange.timeoutMs,
      rateLimitMs: this.config.exchange.rateLimitMs,
      logger: { warn: (m) => this.logger.warn(m), debug: (m) => this.logger.debug(m) },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.cache.values()].map((p) => p.close()));
    this.cache.clear();
  }
}
