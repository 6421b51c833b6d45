import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { ExchangeAccountsService } from '@tb/accounts';
import { Transactional } from '@tb/database';
import { AppConfig } from '@tb/config';
import { EventOutboxRepository } from '@tb/events';
import { PaperExchange, type PaperReplayStatus } from '@tb/exchange';
import { MarketCandlesRepository, feedExchangeId } from '@tb/market';
import { OrdersService } from '@tb/orders';
import { InjectRedis, RedisKeys } from '@tb/redis';
import { timeframeMs, type Candle } from '@tb/strategies';
import type { BotEntity } from './bot.entity';
import { assertBotMove } from './bot-status';
import { botStrategy } from './bot-strategies';
import { BotEvaluator } from './bot-evaluator.service';
import { BotsRepository } from './bots.repository';
import { marginModeOf } from './bots.service';

export type ReplayOutcome = { readonly kind: 'more'; readonly delayMs: number; readonly barTime: number; readonly decisions: number } | { readonly kind: 'done' } | { readonly kind: 'idle' };

/** Thrown when another process drives the same replay bot right now (the job retries later). */
export class ReplayBusyError extends Error {
  constructor(botId: string) {
    super(`replay of bot ${botId} is being driven by another process`);
    this.name = 'ReplayBusyError';
  }
}

const PAGE = 5_000;
const RENEW_OWN_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/**
 * Drives a replay bot through its stored candles, in lockstep with the paper exchange (docs/adr/0010-bot-runtime.md):
 *
 *   until quiet: send what the bot decided (OMS) → evaluate what happened to its orders (fills, closings)
 *   paused walk → resume it (the bot has reacted to everything up to that point of the bar)
 *   bar walked but not decided → the candle goes to the bot's inbox (decide)
 *   otherwise → the paper exchange walks the next bar, pausing at every fill / closed order
 *
 * Every step is idempotent and persisted (paper engine snapshot, OMS, journal), so a killed worker's job is redelivered
 * and continues exactly where the last commit left it. One process drives a bot at a time (a Redis lease).
 */
@Injectable()
export class ReplayDriver {
  private readonly logger = new Logger(ReplayDriver.name);
  private readonly candles = new Map<string, { readonly from: number; readonly list: Candle[] }>();

  constructor(
    private readonly bots: BotsRepository,
    private readonly evaluator: BotEvaluator,
    private readonly orders: OrdersService,
    private readonly accounts: ExchangeAccountsService,
    private readonly stored: MarketCandlesRepository,
    private readonly outbox: EventOutboxRepository,
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {}

  private get leaseMs(): number {
    return this.config.bots.replayLeaseMs;
  }

  /** Drive the bot for about `budgetMs`; says whether to come back (and when). */
  async step(botId: string, budgetMs = 2_000): Promise<ReplayOutcome> {
    const lockKey = this.keys.key('bots', botId, 'replay-lease');
    const token = `${process.pid}:${Date.now()}:${Math.random()}`;
    if ((await this.redis.set(lockKey, token, 'PX', this.leaseMs, 'NX')) !== 'OK') throw new ReplayBusyError(botId);
    try {
      return await this.drive(botId, budgetMs, lockKey, token);
    } finally {
      this.candles.delete(botId); // a cache for one step only: another process may drive the next

      // release only our own lease
      await this.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, lockKey, token);
    }
  }

  private async drive(botId: string, budgetMs: number, lockKey: string, token: string): Promise<ReplayOutcome> {
    let bot = await this.bots.findById(botId);
    if (!bot || bot.feed.kind !== 'replay' || bot.status !== 'running') return { kind: 'idle' };
    const feed = bot.feed;
    const { port } = await this.accounts.exchangeForAccountId(bot.accountId);
    if (!(port instanceof PaperExchange)) throw new Error(`bot ${botId}: a replay feed needs a paper account`);
    await port.loadMarkets();
    const tf = timeframeMs(bot.timeframe);
    const owner = { userId: bot.userId, botId }; // the exchange's own orders on the replayed symbol (liquidations) are the bot's
    let status: PaperReplayStatus =
      (await port.replayStatus(bot.symbol)) ?? (await port.startReplay(bot.symbol, { leverage: leverageOf(bot), barMs: tf, marginMode: marginModeOf(bot.strategy, bot.settings) }));
    // after a crash: what the last step did may not have reached the OMS yet (idempotent)
    await this.orders.syncByClientOrderIds(bot.accountId, bot.symbol, status.touched, owner);
    const deadline = Date.now() + budgetMs;
    let renewAt = Date.now() + this.leaseMs / 3;
    // quiet: the last evaluation found nothing new and nothing reached the exchange since (skip a no-op evaluation)
    let quiet = false;
    for (;;) {
      if (Date.now() > renewAt) {
        // renew only our own lease: one that expired (a stalled process) and was taken by another driver is lost
        if ((await this.redis.eval(RENEW_OWN_LEASE, 1, lockKey, token, this.leaseMs)) !== 1) throw new ReplayBusyError(botId);
        renewAt = Date.now() + this.leaseMs / 3;
      }
      if ((await this.orders.dispatchBot(botId)) > 0) quiet = false;
      if (!quiet) {
        // commands wait for the decision on the bar being walked (docs/adr/0018-trader-commands.md)
        const r = await this.evaluator.evaluate(botId, { now: status.now, maxCandleAgeMs: Number.POSITIVE_INFINITY, holdCommandsUntil: status.barTime });
        // orders or cancels went out: their outcome (e.g. a rejection) is the bot's next input
        quiet = r.orders === 0 && r.cancels === 0;
        if (!quiet) continue;
      }
      bot = (await this.bots.findById(botId))!;
      if (bot.status !== 'running') return { kind: 'idle' };
      if (status.paused) {
        status = await port.resumeBar(bot.symbol);
        await this.orders.syncByClientOrderIds(bot.accountId, bot.symbol, status.touched, owner);
        quiet = status.touched.length === 0;
        continue;
      }
      const decided = bot.lastCandleTime === null ? -1 : Number(bot.lastCandleTime);
      if (status.barTime >= 0 && decided < status.barTime) {
        const candle = await this.candleAt(bot, status.barTime);
        await this.bots.addInput(botId, `candle:${candle.time}`, 'candle', { candle });
        quiet = false;
        continue;
      }
      if (Date.now() > deadline) return { kind: 'more', delayMs: 0, barTime: status.barTime, decisions: Number(bot.decisions) };
      const next = await this.nextCandle(bot, status.barTime);
      if (!next) {
        await this.finish(bot, `replay finished: no stored candle after ${new Date(Math.max(status.barTime, feed.from)).toISOString()} up to ${new Date(feed.to).toISOString()}`);
        return { kind: 'done' };
      }
      status = await port.replayBar(bot.symbol, next);
      await this.orders.syncByClientOrderIds(bot.accountId, bot.symbol, status.touched, owner);
      quiet = status.touched.length === 0; // nothing of the bot's filled or closed in this bar so far
      if (feed.speed !== null) return { kind: 'more', delayMs: Math.round(tf / feed.speed), barTime: status.barTime, decisions: Number(bot.decisions) };
    }
  }

  @Transactional()
  private async finish(bot: BotEntity, reason: string): Promise<void> {
    const current = await this.bots.lock(bot.id);
    if (!current || current.status !== 'running') return;
    assertBotMove('running', 'stopping');
    await this.bots.setStatus(bot.id, 'stopped', reason, { stoppedAt: new Date() });
    await this.outbox.append('bot.stopped', bot.userId, { botId: bot.id, strategy: bot.strategy, symbol: bot.symbol, status: 'stopped', reason });
    this.logger.log({ msg: 'replay finished', botId: bot.id, decisions: current.decisions });
  }

  private async page(bot: BotEntity, after: number): Promise<Candle[]> {
    const feed = bot.feed as Extract<BotEntity['feed'], { kind: 'replay' }>;
    const from = Math.max(feed.from, after + 1);
    const cached = this.candles.get(bot.id);
    if (cached && cached.list.length && cached.from <= from && cached.list[cached.list.length - 1].time > after) return cached.list;
    const source = feedExchangeId('paper', bot.symbol);
    const rows = await this.stored.findRange(source, bot.symbol, bot.timeframe, from, feed.to + 1); // feed.to is inclusive (an open time)
    const list = rows.slice(0, PAGE);
    this.candles.set(bot.id, { from, list });
    return list;
  }

  private async nextCandle(bot: BotEntity, after: number): Promise<Candle | null> {
    const list = await this.page(bot, after);
    for (const c of list) if (c.time > after) return c;
    return null;
  }

  private async candleAt(bot: BotEntity, time: number): Promise<Candle> {
    const list = await this.page(bot, time - 1);
    const c = list.find((x) => x.time === time);
    if (!c) throw new Error(`bot ${bot.id}: stored candle ${time} vanished`);
    return c;
  }
}

function leverageOf(bot: BotEntity): number {
  if (bot.market.type !== 'perp') return 1;
  const parsed = botStrategy(bot.strategy).parseSettings(bot.settings) as { leverage?: unknown };
  return Number(parsed.leverage ?? 1) || 1;
}
