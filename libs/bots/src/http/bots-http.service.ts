import { Injectable, Logger } from '@nestjs/common';
import { OrdersService, type OrderEntity } from '@tb/orders';
import { timeframeMs, type Candle, type PositionSide } from '@tb/strategies';
import type { TradeRecord } from '@tb/backtest';
import type { BotDecisionEntity, BotEntity, BotStrategyName } from '../bot.entity';
import type { BotStatus } from '../bot-status';
import type { JournalInput } from '../bot-journal';
import { BotsRepository } from '../bots.repository';
import { BotsService, type CreateBotCommand } from '../bots.service';

/** A bot with its PnL (from its fills) — one row of the list. */
export interface BotSummaryView {
  readonly bot: BotEntity;
  readonly realizedPnl: number;
  readonly fees: number;
  readonly closedTrades: number;
}

/** Everything GET /bots/:id shows. */
export interface BotDetailView extends BotSummaryView {
  readonly position: Record<PositionSide, { qty: number; avg: number }>;
  /** close of the last candle the bot decided on; null before its first candle */
  readonly lastPrice: number | null;
  readonly unrealizedPnl: number | null;
  readonly openOrders: readonly OrderEntity[];
  readonly lastDecision: BotDecisionEntity | null;
  /** when the next candle closes (open time of the last decided candle + 2 × timeframe); null before the first */
  readonly nextCandleAt: number | null;
}

/**
 * What the bots REST API needs on top of BotsService: every call scoped to one strategy (a bot of the other
 * strategy is 404, like another user's), a create that leaves nothing behind when activation refuses it, and the
 * read models (PnL and position from the bot's fills, open orders, journal pages).
 */
@Injectable()
export class BotsHttpService {
  private readonly logger = new Logger(BotsHttpService.name);

  constructor(
    private readonly bots: BotsService,
    private readonly repo: BotsRepository,
    private readonly orders: OrdersService,
  ) {}

  /**
   * Create, then start unless `start` is false. A refused activation (duplicate active bot, investment below the
   * minimum, account that does not answer) removes the bot again: the caller gets the error and nothing is written.
   */
  async create(userId: string, strategy: BotStrategyName, cmd: CreateBotCommand): Promise<BotDetailView> {
    const created = await this.bots.create(userId, strategy, { ...cmd, start: false });
    if (cmd.start === false) return this.detailOf(created);
    try {
      return this.detailOf(await this.bots.start(userId, created.id));
    } catch (e) {
      if (await this.repo.deleteNeverStarted(created.id)) this.logger.log({ msg: 'bot refused at activation: removed', botId: created.id, error: (e as Error).message });
      throw e;
    }
  }

  async list(userId: string, strategy: BotStrategyName, status: BotStatus | undefined, limit: number, offset: number): Promise<{ items: BotSummaryView[]; total: number }> {
    const [rows, total] = await this.repo.pageForUser(userId, strategy, status, limit, offset);
    const items: BotSummaryView[] = [];
    for (const bot of rows) items.push(await this.summaryOf(bot));
    return { items, total };
  }

  async get(userId: string, strategy: BotStrategyName, id: string): Promise<BotDetailView> {
    return this.detailOf(await this.bots.get(userId, id, strategy));
  }

  async start(userId: string, strategy: BotStrategyName, id: string): Promise<BotDetailView> {
    await this.bots.get(userId, id, strategy);
    return this.detailOf(await this.bots.start(userId, id));
  }

  async pause(userId: string, strategy: BotStrategyName, id: string): Promise<BotDetailView> {
    await this.bots.get(userId, id, strategy);
    return this.detailOf(await this.bots.pause(userId, id));
  }

  async resume(userId: string, strategy: BotStrategyName, id: string): Promise<BotDetailView> {
    await this.bots.get(userId, id, strategy);
    return this.detailOf(await this.bots.resume(userId, id));
  }

  async stop(userId: string, strategy: BotStrategyName, id: string, closePosition: boolean): Promise<BotDetailView> {
    await this.bots.get(userId, id, strategy);
    return this.detailOf(await this.bots.stop(userId, id, closePosition));
  }

  async updateSettings(userId: string, strategy: BotStrategyName, id: string, patch: Record<string, unknown>): Promise<BotDetailView> {
    await this.bots.get(userId, id, strategy);
    return this.detailOf(await this.bots.updateSettings(userId, id, patch));
  }

  /** Closed trades (the fields of a backtest's result.json trades), with their totals. */
  async trades(userId: string, strategy: BotStrategyName, id: string): Promise<{ trades: TradeRecord[]; realizedPnl: number; fees: number }> {
    await this.bots.get(userId, id, strategy);
    const t = await this.bots.tradesOf(id);
    return { trades: t.trades, realizedPnl: t.realized, fees: t.fees };
  }

  async decisions(userId: string, strategy: BotStrategyName, id: string, afterSeq: number, limit: number): Promise<BotDecisionEntity[]> {
    await this.bots.get(userId, id, strategy);
    return this.bots.decisions(userId, id, afterSeq, limit);
  }

  // ------------------------------------------------------------------ read models

  private async summaryOf(bot: BotEntity): Promise<BotSummaryView> {
    const t = await this.bots.tradesOf(bot.id);
    return { bot, realizedPnl: t.realized, fees: t.fees, closedTrades: t.trades.length };
  }

  private async detailOf(bot: BotEntity): Promise<BotDetailView> {
    const t = await this.bots.tradesOf(bot.id);
    const lastCandle = await this.repo.lastDecisionOfKind(bot.id, 'candle');
    const lastPrice = lastCandle ? candleOf(lastCandle.input as JournalInput)?.close ?? null : null;
    let unrealizedPnl: number | null = null;
    if (lastPrice !== null) {
      unrealizedPnl = (lastPrice - t.open.long.avg) * t.open.long.qty + (t.open.short.avg - lastPrice) * t.open.short.qty;
    }
    const lastCandleTime = bot.lastCandleTime === null ? null : Number(bot.lastCandleTime);
    return {
      bot,
      realizedPnl: t.realized,
      fees: t.fees,
      closedTrades: t.trades.length,
      position: t.open,
      lastPrice,
      unrealizedPnl,
      openOrders: await this.orders.ordersOfBot(bot.id, true),
      lastDecision: await this.bots.lastDecision(bot.id),
      nextCandleAt: lastCandleTime === null ? null : lastCandleTime + 2 * timeframeMs(bot.timeframe),
    };
  }
}

function candleOf(input: JournalInput): Candle | null {
  return input.kind === 'candle' ? input.candle : null;
}
