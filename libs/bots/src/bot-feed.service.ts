import { Injectable, Logger } from '@nestjs/common';
import { ExchangeAccountsService } from '@tb/accounts';
import { AppConfig } from '@tb/config';
import { JobsProducer } from '@tb/jobs';
import { MarketCandlesRepository, distinctFeeds, feedExchangeId, type MarketKey } from '@tb/market';
import { timeframeMs, type Candle } from '@tb/strategies';
import type { BotEntity } from './bot.entity';
import { BotsRepository } from './bots.repository';
import type { CandleInputPayload } from './bot-evaluator.service';

/** Candles fed to a live bot before its first decision: indicators, the trend's higher timeframes, GRID's 4h ADX. */
export const WARMUP_CANDLES = 1000;
/** At most this many bots, and this many inbox inputs, in one evaluation batch (one transaction). */
export const BATCH_BOTS = 50;
export const BATCH_INPUTS = 2000;
const FAN_OUT_LANES = 4;

/** A live feed and the bots it serves. */
export interface LiveFeed {
  readonly key: MarketKey;
  readonly bots: readonly BotEntity[];
}

/**
 * The live side of the bot runtime's market data (docs/adr/0010-bot-runtime.md): which feeds the running bots need
 * (one per exchange, symbol and timeframe, shared by all its bots), and the fan-out after a candle closed: every
 * stored candle a bot has not decided yet goes to its inbox in order (a bot catching up after downtime gets each
 * missed candle; its orders are not sent when the candle is too old), then one evaluation job per batch of bots with
 * a deterministic id, so two workers fanning out the same close queue it once.
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
    private readonly config: AppConfig,
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
    // bots that decided up to the same candle read the same stored range: one query per distinct start
    const ranges = new Map<number, Promise<Candle[]>>();
    const range = (from: number): Promise<Candle[]> => {
      let r = ranges.get(from);
      if (!r) {
        r = this.candles.findRange(feed.key.exchange, feed.key.symbol, feed.key.timeframe, from, expectedTime + 1);
        ranges.set(from, r);
      }
      return r;
    };
    const due = (
      await Promise.all(
        feed.bots.map(async (bot) => {
          const last = bot.lastCandleTime === null ? null : Number(bot.lastCandleTime);
          if (last !== null && last >= expectedTime) return null;
          const candles = await range(last === null ? expectedTime - WARMUP_CANDLES * tf : last + 1);
          return candles.length ? { bot, candles, warm: last === null } : null;
        }),
      )
    ).filter((d): d is { bot: BotEntity; candles: Candle[]; warm: boolean } => d !== null);
    // batches of bots evaluated together (one transaction each): bounded in bots and in inputs (a new bot's warm-up
    // is a thousand candles), so that a batch stays short and the job's lock is renewed
    const batches: Array<typeof due> = [];
    let inputs = 0;
    for (const d of due) {
      const last = batches[batches.length - 1];
      if (!last || last.length >= BATCH_BOTS || inputs + d.candles.length > BATCH_INPUTS) {
        batches.push([d]);
        inputs = d.candles.length;
      } else {
        last.push(d);
        inputs += d.candles.length;
      }
    }
    // per batch: its bots' inbox rows in one statement (each bot's candles in order), then one job with a deterministic
    // id, so two workers fanning out the same close queue it once; a few batches at a time
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        await this.bots.addInputs(
          batch.flatMap(({ bot, candles, warm }) =>
            candles.map((c) => ({ botId: bot.id, key: `candle:${c.time}`, kind: 'candle', payload: (warm && c.time < expectedTime ? { candle: c, warmup: true } : { candle: c }) satisfies CandleInputPayload })),
          ),
        );
        const botIds = batch.map((d) => d.bot.id);
        await this.jobs.enqueue('bots.evaluateMany', { botIds, candleAvailableAt: availableAt }, { jobId: `${botIds[0]}.batch.${expectedTime}` });
      }
    };
    await Promise.all(Array.from({ length: Math.min(FAN_OUT_LANES, batches.length) }, lane));
    if (due.length) this.logger.debug({ msg: 'candle fanned out', feed: `${feed.key.exchange}:${feed.key.symbol}:${feed.key.timeframe}`, candleTime: expectedTime, bots: due.length, batches: batches.length });
    return due.length;
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
