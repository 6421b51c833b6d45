import type { Candle } from '@tb/strategies';
import type { ExchangePort } from '../exchange.port';

/** One price observation: `time` ms UTC. */
export interface PaperPrice {
  readonly time: number;
  readonly price: number;
}

/**
 * Where the paper exchange gets prices. `latest` prices market orders and is polled by `advance` for feeds
 * that only know the current price (live ticker). Replay feeds also implement `barsSince`, so that `advance`
 * walks every replayed bar (open → extremes → close) through the matching engine and resting orders fill
 * inside the bar, exactly as in a backtest.
 */
export interface PaperPriceFeed {
  latest(symbol: string): Promise<PaperPrice | null>;
  /** Whole bars with open time > `afterTime` up to the feed's current bar, oldest first. */
  barsSince?(symbol: string, afterTime: number): Promise<readonly Candle[]>;
}

export type CandleSource = Readonly<Record<string, readonly Candle[]>> | ((symbol: string) => Promise<readonly Candle[]>);

export interface CandleReplayOptions {
  /**
   * Bar length in ms. `latest()` is stamped at the current bar's CLOSE (open + barMs) — the moment a decision
   * on that closed bar can act. Default 0 (stamped at the open time).
   */
  readonly barMs?: number;
}

/**
 * Replays stored candles (an array per symbol, or a loader such as a market_candles range query, called once
 * per symbol). The feed's "now" is a cursor per symbol: before the first `step` there is no price; `step(symbol)`
 * makes the next candle the current one (closed). One feed = one simulated market; paper accounts that share it
 * see the same prices and each keep their own progress (the paper exchange remembers the last bar it processed).
 */
export class CandleReplayFeed implements PaperPriceFeed {
  private readonly loaded = new Map<string, readonly Candle[]>();
  private readonly cursor = new Map<string, number>();
  private readonly barMs: number;

  constructor(
    private readonly source: CandleSource,
    options: CandleReplayOptions = {},
  ) {
    this.barMs = options.barMs ?? 0;
  }

  /** Advance the cursor by `n` bars (default 1). Returns the new current bar, or null past the end (cursor stays on the last bar). */
  async step(symbol: string, n = 1): Promise<Candle | null> {
    const candles = await this.candles(symbol);
    const cur = this.cursor.get(symbol) ?? -1;
    const next = cur + n;
    if (next >= candles.length) {
      if (candles.length) this.cursor.set(symbol, candles.length - 1);
      return null;
    }
    this.cursor.set(symbol, next);
    return candles[next];
  }

  /** Put the cursor on the last bar whose open time is <= `time` (no bar: before the start). */
  async seek(symbol: string, time: number): Promise<Candle | null> {
    const candles = await this.candles(symbol);
    let lo = 0;
    let hi = candles.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (candles[mid].time <= time) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    this.cursor.set(symbol, idx);
    return idx >= 0 ? candles[idx] : null;
  }

  /** The current bar (null before the first step). */
  async current(symbol: string): Promise<Candle | null> {
    const candles = await this.candles(symbol);
    const i = this.cursor.get(symbol) ?? -1;
    return i >= 0 ? candles[i] : null;
  }

  async latest(symbol: string): Promise<PaperPrice | null> {
    const c = await this.current(symbol);
    return c ? { time: c.time + this.barMs, price: c.close } : null;
  }

  async barsSince(symbol: string, afterTime: number): Promise<readonly Candle[]> {
    const candles = await this.candles(symbol);
    const end = this.cursor.get(symbol) ?? -1;
    if (end < 0) return [];
    // first index with time > afterTime (binary search: candles are ascending)
    let lo = 0;
    let hi = end + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (candles[mid].time > afterTime) hi = mid;
      else lo = mid + 1;
    }
    return candles.slice(lo, end + 1);
  }

  private async candles(symbol: string): Promise<readonly Candle[]> {
    let c = this.loaded.get(symbol);
    if (!c) {
      const raw = typeof this.source === 'function' ? await this.source(symbol) : (this.source[symbol] ?? []);
      for (let i = 1; i < raw.length; i++) {
        if (!(raw[i].time > raw[i - 1].time)) throw new RangeError(`CandleReplayFeed: ${symbol} candles must be strictly ascending by time (index ${i})`);
      }
      c = raw;
      this.loaded.set(symbol, c);
    }
    return c;
  }
}

/**
 * The live price of another ExchangePort (e.g. a public, credential-less CcxtExchange): last trade price, or the
 * bid/ask mid when the exchange gives no last. Stamped with the ticker's time, or the clock when it has none.
 *
 * Single flight per symbol: a caller arriving while a fetch of that symbol is under way shares its answer instead of
 * queueing one more request. Every paper account shares one public client (and its rate limiter: ~20 ms per Binance
 * ticker), so after a candle close the orders of a thousand bots would otherwise wait in line for a ticker each
 * (575 orders: ~12 s); the shared answer is at most one request's round trip older than a fetch of the caller's own.
 */
export class TickerFeed implements PaperPriceFeed {
  private readonly inFlight = new Map<string, Promise<PaperPrice | null>>();

  constructor(
    private readonly source: Pick<ExchangePort, 'fetchTicker'>,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  latest(symbol: string): Promise<PaperPrice | null> {
    let p = this.inFlight.get(symbol);
    if (!p) {
      p = this.fetch(symbol).finally(() => this.inFlight.delete(symbol));
      this.inFlight.set(symbol, p);
    }
    return p;
  }

  private async fetch(symbol: string): Promise<PaperPrice | null> {
    const t = await this.source.fetchTicker(symbol);
    const price = t.last ?? (t.bid !== null && t.ask !== null ? (t.bid + t.ask) / 2 : null);
    if (price === null || !(price > 0)) return null;
    return { time: t.timestamp ?? this.clock(), price };
  }
}
