import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

const LABELS = ['exchange', 'symbol', 'timeframe'];

export interface FeedLabels {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** Prometheus metrics of the live candle feeds (registered once per process in the default registry). */
@Injectable()
export class FeedMetrics {
  private readonly missing = counter('tb_feed_missing_candles_total', 'Closed candles still not published by the exchange after FEED_MAX_WAIT_MS', LABELS);
  private readonly stored = counter('tb_feed_candles_total', 'Closed candles fetched by the live feeds and stored', LABELS);
  private readonly errors = counter('tb_feed_poll_errors_total', 'Live feed polls that failed (the feed retries)', LABELS);

  missingCandle(key: FeedLabels): void {
    this.missing.inc(labels(key));
  }

  candlesStored(key: FeedLabels, n: number): void {
    if (n > 0) this.stored.inc(labels(key), n);
  }

  pollFailed(key: FeedLabels): void {
    this.errors.inc(labels(key));
  }
}

function labels(k: FeedLabels): Record<string, string> {
  return { exchange: k.exchange, symbol: k.symbol, timeframe: k.timeframe };
}
