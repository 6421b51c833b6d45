import { Logger } from '@nestjs/common';
import type { Clock } from '@tb/common';
import { timeframeMs, type Candle } from '@tb/strategies';
import { candlesFromCcxt } from '../candles/ccxt-ohlcv.loader';
import type { MarketKey } from '../candles/market-key';
import type { MarketCandlesRepository } from '../persistence/market-candles.repository';
import { lastClosedOpenTime, nextPollAt } from './feed-timing';
import type { FeedMetrics } from './feed.metrics';
import type { OhlcvSource } from './ohlcv.source';

export interface LiveCandleFeedOptions {
  /** poll this long after each candle close (ms) */
  readonly buildDelayMs: number;
  /** wait between polls while the expected candle is missing (ms) */
  readonly retryMs: number;
  /** give up on the expected candle this long after its close (ms): watchdog warning + counter */
  readonly maxWaitMs: number;
  /** most closed candles fetched by one poll (the newest ones): first poll of a series, or after a gap */
  readonly backfillCandles: number;
  /** most candles asked for in one request (binance: 1000) */
  readonly pageLimit?: number;
  /** how to wait between retries (tests advance a manual clock instead) */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: { warn(message: string): void; debug?(message: string): void };
}

/** Outcome of `awaitClose`. */
export interface FeedCloseResult {
  /** closed candles fetched and stored by this call, oldest first (may hold older ones after a gap) */
  readonly candles: Candle[];
  /** open time of the candle that was expected (the one closing at the awaited close) */
  readonly expectedTime: number;
  /** true when the expected candle is stored (now or by an earlier poll / another worker) */
  readonly complete: boolean;
  /** polls made */
  readonly attempts: number;
}

const DEFAULT_PAGE_LIMIT = 1000;

/**
 * The live source of a candle feed: public ccxt OHLCV for one (exchange, symbol, timeframe), polled just
 * after each close. Every closed candle newer than the newest stored one is stored in `market_candles`
 * (idempotent upsert, so two workers polling the same feed store each candle once) and returned; the
 * still-forming candle never is. No clock inside `pollClosed` (now is passed in); `awaitClose` uses the
 * injected clock. Plain class: `MarketFeedModule` provides it to Nest.
 */
export class LiveCandleFeed {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: { warn(message: string): void; debug?(message: string): void };
  private readonly pageLimit: number;

  constructor(
    private readonly source: OhlcvSource,
    private readonly candles: MarketCandlesRepository,
    private readonly clock: Clock,
    readonly options: LiveCandleFeedOptions,
    private readonly metrics?: FeedMetrics,
  ) {
    if (!(options.backfillCandles >= 1)) throw new RangeError('backfillCandles must be >= 1');
    if (!(options.retryMs > 0)) throw new RangeError('retryMs must be > 0');
    this.pageLimit = Math.max(1, options.pageLimit ?? DEFAULT_PAGE_LIMIT);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.logger = options.logger ?? new Logger(LiveCandleFeed.name);
  }

  /** When this feed should poll next for `timeframe` (next close + build delay). */
  nextPollAt(timeframe: MarketKey['timeframe'], now: number): number {
    return nextPollAt(timeframe, now, this.options.buildDelayMs);
  }

  /**
   * Fetches, stores and returns every candle closed at `now` (open + timeframe <= now) newer than the newest
   * stored one, oldest first — at most `backfillCandles` (the newest). Empty when nothing new has closed or
   * the exchange has not published it yet. Exchange and validation errors propagate.
   */
  async pollClosed(key: MarketKey, now: number): Promise<Candle[]> {
    const { exchange, symbol, timeframe } = key;
    const step = timeframeMs(timeframe);
    const lastClosed = lastClosedOpenTime(timeframe, now);
    const earliest = lastClosed - (this.options.backfillCandles - 1) * step;
    const latest = await this.candles.latestTime(exchange, symbol, timeframe);
    let since = latest === null ? earliest : Math.max(latest + step, earliest);
    const out: Candle[] = [];
    while (since <= lastClosed) {
      const want = Math.min(this.pageLimit, Math.floor((lastClosed - since) / step) + 1);
      const page = await this.source.fetchOHLCV(exchange, symbol, timeframe, since, want);
      let added = 0;
      for (const c of page) {
        if (c.time < since || c.time > lastClosed) continue; // before the request (lenient exchanges) or still forming
        if (out.length > 0 && c.time <= out[out.length - 1].time) continue;
        out.push(c);
        added++;
      }
      // nothing (more) published yet; a short page is not the end: exchanges clamp `limit` (okx 100-300, upbit 200)
      if (added === 0) break;
      since = out[out.length - 1].time + step;
    }
    if (out.length === 0) return out;
    // the same checks as every other candle input (prices consistent, aligned, ascending); throws with the row
    const checked = candlesFromCcxt(
      out.map((c) => [c.time, c.open, c.high, c.low, c.close, c.volume]),
      { timeframe },
    ).candles;
    await this.candles.upsert(exchange, symbol, timeframe, checked);
    this.metrics?.candlesStored(key, checked.length);
    this.logger.debug?.(`feed ${feedLabel(key)}: stored ${checked.length} closed candle(s) up to ${iso(checked[checked.length - 1].time)}`);
    return checked;
  }

  /**
   * Polls until the candle closing at `closeTime` (default: the newest close at the clock's now) is stored,
   * retrying every `retryMs` because exchanges publish late. When it is still missing `maxWaitMs` after the
   * close, the watchdog logs a warning with the feed key, counts it in `tb_feed_missing_candles_total` and
   * gives up (`complete: false`); the next poll catches up whatever arrived later. Poll errors are logged,
   * counted and retried within the same bound.
   */
  async awaitClose(key: MarketKey, closeTime?: number): Promise<FeedCloseResult> {
    const step = timeframeMs(key.timeframe);
    const close = closeTime ?? lastClosedOpenTime(key.timeframe, this.clock.now()) + step;
    if (close % step !== 0) throw new RangeError(`closeTime ${close} is not a ${key.timeframe} candle boundary`);
    const expectedTime = close - step;
    const deadline = close + this.options.maxWaitMs;
    const candles: Candle[] = [];
    let attempts = 0;
    for (;;) {
      const now = this.clock.now();
      if (now < close) {
        await this.sleep(close - now); // called early: the expected candle is still forming
        continue;
      }
      attempts++;
      try {
        const got = await this.pollClosed(key, now);
        for (const c of got) candles.push(c);
        if (got.length > 0 && got[got.length - 1].time >= expectedTime) return { candles, expectedTime, complete: true, attempts };
        if (got.length === 0 && ((await this.candles.latestTime(key.exchange, key.symbol, key.timeframe)) ?? -Infinity) >= expectedTime) {
          return { candles, expectedTime, complete: true, attempts }; // stored by an earlier poll or another worker
        }
      } catch (err) {
        this.metrics?.pollFailed(key);
        this.logger.warn(`feed ${feedLabel(key)}: poll for the ${iso(expectedTime)} candle failed (attempt ${attempts}): ${errorText(err)}`);
      }
      if (this.clock.now() >= deadline) {
        this.metrics?.missingCandle(key);
        this.logger.warn(
          `feed ${feedLabel(key)}: missing candle ${iso(expectedTime)} — not published ${this.options.maxWaitMs} ms after its close (${attempts} polls); moving on, the next poll catches up`,
        );
        return { candles, expectedTime, complete: false, attempts };
      }
      await this.sleep(Math.min(this.options.retryMs, Math.max(1, deadline - this.clock.now())));
    }
  }
}

/** `exchange symbol timeframe`, the feed key as logs print it. */
export function feedLabel(key: MarketKey): string {
  return `${key.exchange} ${key.symbol} ${key.timeframe}`;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
