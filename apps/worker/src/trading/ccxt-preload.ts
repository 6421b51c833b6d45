import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { isCcxtLoaded, loadCcxt } from '@tb/exchange';

/**
 * The worker loads ccxt right after boot instead of on first use. Every job of a worker needs it soon (live feeds
 * poll OHLCV, paper accounts read tickers, orders go through it), and loading it takes ≈ 0.3 s of a blocked event
 * loop: lazily, that stall landed on the first candle close after a (re)start, in front of every bot's decision and
 * order. Loaded on the next turn of the event loop, so boot and readiness are not delayed by it.
 */
@Injectable()
export class CcxtPreload implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CcxtPreload.name);
  private timer: NodeJS.Timeout | undefined;

  onApplicationBootstrap(): void {
    if (isCcxtLoaded()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const started = performance.now();
      loadCcxt();
      this.logger.log({ msg: 'ccxt loaded', ms: Math.round(performance.now() - started) });
    }, 0);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
