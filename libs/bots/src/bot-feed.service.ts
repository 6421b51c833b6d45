import { Injectable, Logger } from '@nestjs/common';
import { ExchangeAccountsService } from '@tb/accounts';
import { JobsProducer } from '@tb/jobs';
import { MarketCandlesRepository, distinctFeeds, feedExchangeId, type MarketKey } from '@tb/market';
import { timeframeMs, type Candle } from '@tb/strategies';
import type { BotEntity } from './bot.entity';
import { BotsRepository } from './bots.repository';
import type { CandleInputPayload } from './bot-evaluator.service';

/** Candles fed to a live bot before its first decision: indicators, the trend's higher timeframes, GRID's 4h ADX. */
export const WARMUP_CANDLES = 1000;

/** A live feed and the bots it serves. */
export interface LiveFeed {
  readonly key: MarketKey;
  readonly bots: readonly BotEntity[];
}

/**
 * The live side of the bot runtime's market data (docs/adr/0010-bot-runtime.md): which feeds the running bots need
 * (one per exchange, symbol and timeframe, shared by all its bots), and the fan-out after a candle closed: every
 * stored candle a bot has not decided yet goes to its inbox in order (a bot catching up after downtime gets each
 * missed candle; its orders are not sent when the candle is too old), then one evaluation job per bot with a
 * deterministic id, so two workers fanning out the same close queue it once.
 */
@Injectable()
export class BotFeedService {
  private readonly logger = new Logger(BotFeedService.name);
  private readonly exchangeOfAccount = new Map<string, string>();

  constructor(
    private readonly bots: BotsRepository,
    private readonly accounts: ExchangeAccountsService,
    private readonly candles: MarketCandlesRepository,
    private readonly jobs: JobsProducer,
  ) {}

  /** The live feeds the running (and paused) live bots need, deterministic order. */
  async liveFeeds(): Promise<LiveFeed[]> {
    const bots = await this.bots.listFed('live');
    const byKey = new Map<string, BotEntity[]>();
    const keys: MarketKey[] = [];
    for (const b of bots) {
      const key: MarketKey = { exchange: feedExchangeId(await this.accountExchange(b.accountId), b.symbol), symbol: b.symbol, timeframe: b.timeframe };
      const k = `${key.exchange}|${key.symbol}|${key.timeframe}`;
      if (!byKey.has(k)) {
        byKey.set(k, []);
        keys.push(key);
      }
      byKey.get(k)!.push(b);
    }
    return distinctFeeds(keys).map((key) => ({ key, bots: byKey.get(`${key.exchange}|${key.symbol}|${key.timeframe}`)! }));
  }

  /**
   * The candle opening at `expectedTime` closed and is stored: hand every bot of the feed what it has not decided
   * up to it, and queue its evaluation. Returns the number of bots queued.
   */
  async candleClosed(feed: LiveFeed, expectedTime: number, availableAt: number): Promise<number> {
    const tf = timeframeMs(feed.key.timeframe);
    let queued = 0;
    for (const bot of feed.bots) {
      const last = bot.lastCandleTime === null ? null : Number(bot.lastCandleTime);
      if (last !== null && last >= expectedTime) continue;
      const from = last === null ? expectedTime - WARMUP_CANDLES * tf : last + 1;
      const list: Candle[] = await this.candles.findRange(feed.key.exchange, feed.key.symbol, feed.key.timeframe, from, expectedTime + 1);
      if (!list.length) continue;
      for (const c of list) {
        const payload: CandleInputPayload = last === null && c.time < expectedTime ? { candle: c, warmup: true } : { candle: c };
        await this.bots.addInput(bot.id, `candle:${c.time}`, 'candle', payload);
      }
      await this.jobs.enqueue('bots.evaluate', { botId: bot.id, candleAvailableAt: availableAt }, { jobId: `${bot.id}.candle.${expectedTime}` });
      queued++;
    }
    if (queued) this.logger.debug({ msg: 'candle fanned out', feed: `${feed.key.exchange}:${feed.key.symbol}:${feed.key.timeframe}`, candleTime: expectedTime, bots: queued });
    return queued;
  }

  private async accountExchange(accountId: string): Promise<string> {
    let ex = this.exchangeOfAccount.get(accountId);
    if (!ex) {
      ex = (await this.accounts.exchangeForAccountId(accountId)).account.exchange;
      this.exchangeOfAccount.set(accountId, ex);
    }
    return ex;
  }
}
