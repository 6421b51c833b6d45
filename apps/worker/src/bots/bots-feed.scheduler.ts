import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@tb/config';
import { BotFeedService, type LiveFeed } from '@tb/bots';
import { Clock } from '@tb/common';
import { LiveCandleFeed, nextPollAt } from '@tb/market';
import { InFlight } from '../shutdown/in-flight';

const TICK_MS = 500;

/**
 * The live candle feeds of the running bots (@nestjs/schedule): every feed is polled just after each candle close
 * plus the build delay (LiveCandleFeed retries until the closed candle is published, with its missing-candle
 * watchdog), then the close is fanned out to the feed's bots. One run per feed at a time; feeds run concurrently.
 * Several workers may run it: candles are stored idempotently and evaluation jobs have deterministic ids.
 */
@Injectable()
export class BotsFeedScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BotsFeedScheduler.name);
  private readonly nextAt = new Map<string, number>();
  private readonly running = new Set<string>();
  private ticking = false;
  private stopping = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly feeds: BotFeedService,
    private readonly live: LiveCandleFeed,
    private readonly clock: Clock,
    private readonly schedules: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedules.addInterval('bots-live-feeds', setInterval(() => void this.inFlight.track(this.tick()), TICK_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.schedules.doesExist('interval', 'bots-live-feeds')) this.schedules.deleteInterval('bots-live-feeds');
    await this.inFlight.drain();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    try {
      const now = this.clock.now();
      for (const feed of await this.feeds.liveFeeds()) {
        const id = `${feed.key.exchange}|${feed.key.symbol}|${feed.key.timeframe}`;
        if (this.running.has(id)) continue;
        const due = this.nextAt.get(id);
        if (due !== undefined && now < due) continue;
        this.nextAt.set(id, nextPollAt(feed.key.timeframe, now, this.config.feed.buildDelayMs));
        void this.inFlight.track(this.run(id, feed));
      }
    } catch (e) {
      this.logger.warn({ msg: 'live feed tick failed', error: (e as Error).message });
    } finally {
      this.ticking = false;
    }
  }

  private async run(id: string, feed: LiveFeed): Promise<void> {
    this.running.add(id);
    try {
      const res = await this.live.awaitClose(feed.key);
      if (this.stopping) return;
      await this.feeds.candleClosed(feed, res.expectedTime, this.clock.now());
    } catch (e) {
      this.logger.warn({ msg: 'live feed run failed', feed: id, error: (e as Error).message });
    } finally {
      this.running.delete(id);
    }
  }
}
