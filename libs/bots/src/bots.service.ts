import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, DomainError, ErrorCode, NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import { ExchangeAccountsService } from '@tb/accounts';
import { EventOutboxRepository, type EventType } from '@tb/events';
import { ExchangeError, PaperExchange, type ExchangeMarket, type ExchangePort } from '@tb/exchange';
import { JobsProducer } from '@tb/jobs';
import { MarketCandlesRepository, feedExchangeId } from '@tb/market';
import { OrdersService } from '@tb/orders';
import { StrategySettingsError, isTimeframe, timeframeMs, type MarketSpec, type Timeframe } from '@tb/strategies';
import type { TradeRecord } from '@tb/backtest';
import { BotEntity, type BotFeed, type BotStrategyName } from './bot.entity';
import { assertBotMove, type BotStatus } from './bot-status';
import { botStrategy, storedSettings } from './bot-strategies';
import { botTrades, type BotFillView } from './bot-trades';
import { BotsRepository } from './bots.repository';
import { InvalidBotSettingsError } from './bots.errors';
import { parseProtections } from './bot-protections';

export interface CreateBotCommand {
  readonly accountId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly settings: Record<string, unknown>;
  readonly feed?: { kind: 'live' } | { kind: 'replay'; from: string | number; to: string | number; speed?: number | null };
  readonly start?: boolean;
  /** per-bot protections (drawdown, stop-loss guard, daily loss, pause on rejection); defaults when absent */
  readonly protections?: unknown;
}

/** The original refused bots whose investment × leverage was under 200 USDT; the market's minimums apply too. */
export const MIN_BOT_NOTIONAL_USDT = 200;

const toTime = (v: string | number): number => (typeof v === 'number' ? v : Date.parse(v));

/**
 * The bot lifecycle (create, start, pause, resume, stop, settings) and its read models. Every state change that a
 * strategy must see (a settings change) goes through the bot's inbox and the decision journal — never a side door.
 */
@Injectable()
export class BotsService implements OnModuleInit {
  private readonly logger = new Logger(BotsService.name);

  constructor(
    private readonly bots: BotsRepository,
    private readonly accounts: ExchangeAccountsService,
    private readonly orders: OrdersService,
    private readonly outbox: EventOutboxRepository,
    private readonly jobs: JobsProducer,
    private readonly candles: MarketCandlesRepository,
  ) {}

  /** An account with a bot that is not stopped cannot be removed (409 ACCOUNT_IN_USE): stop the bot first. */
  onModuleInit(): void {
    this.accounts.registerRemovalCheck('bots not stopped', (userId, accountId) => this.bots.countNotStoppedForAccount(userId, accountId));
  }

  async create(userId: string, strategyName: BotStrategyName, cmd: CreateBotCommand): Promise<BotEntity> {
    const strategy = botStrategy(strategyName);
    if (!isTimeframe(cmd.timeframe)) throw new BadRequestError(`unknown timeframe ${cmd.timeframe}`, { field: 'timeframe' });
    const settings = storedSettings(strategyName, cmd.settings ?? {});
    try {
      strategy.parseSettings(settings);
    } catch (e) {
      if (e instanceof StrategySettingsError) throw new InvalidBotSettingsError(e);
      throw e;
    }
    const protections = parseProtections(cmd.protections);
    if (protections.issues.length) throw new DomainError(ErrorCode.ValidationFailed, 'invalid protections', protections.issues);
    const port = await this.accounts.exchangeFor(userId, cmd.accountId); // 404 for another user's account
    const market = await this.marketOf(port, cmd.symbol);
    const feed = await this.feedOf(port, cmd, market, cmd.timeframe);
    const id = randomUUID();
    await this.insertUnique({
      id,
      userId,
      accountId: cmd.accountId,
      strategy: strategyName,
      symbol: cmd.symbol,
      timeframe: cmd.timeframe,
      settings,
      feed,
      market: toSpec(market),
      status: 'stopped',
      protections: protections.value,
    });
    this.logger.log({ msg: 'bot created', botId: id, userId, strategy: strategyName, symbol: cmd.symbol });
    if (cmd.start ?? true) return this.start(userId, id);
    return (await this.bots.findById(id))!;
  }

  /** Activation: the account answers, the market exists, the investment meets the minimums; then running. */
  async start(userId: string, id: string): Promise<BotEntity> {
    const bot = await this.require(userId, id);
    if (bot.feed.kind === 'replay' && Number(bot.decisions) > 0 && bot.status !== 'error') {
      // its window was (partly) walked: walking it again would meet orders resting from the first pass
      throw new ConflictError('a replay bot that has run cannot be started again; create a new bot for another pass', { status: bot.status });
    }
    await this.move(bot, 'starting', null);
    try {
      const port = await this.accounts.exchangeFor(userId, bot.accountId);
      const market = await this.marketOf(port, bot.symbol);
      const settings = botStrategy(bot.strategy).parseSettings(bot.settings) as Record<string, unknown>;
      this.checkInvestment(bot.strategy, settings, market);
      try {
        await port.fetchBalance();
      } catch (e) {
        throw new DomainError(ErrorCode.ExchangeUnavailable, `the exchange account does not answer: ${(e as Error).message}`, { code: (e as ExchangeError).code });
      }
      if (bot.feed.kind === 'replay') {
        const leverage = market.type === 'perp' ? Number(settings.leverage ?? 1) : 1;
        await (port as PaperExchange).startReplay(bot.symbol, { leverage, barMs: timeframeMs(bot.timeframe), marginMode: marginModeOf(bot.strategy, settings) });
      }
    } catch (e) {
      const b = await this.bots.findById(id);
      if (b && b.status === 'starting') await this.bots.setStatus(id, 'stopped', `activation failed: ${(e as Error).message}`.slice(0, 500));
      throw e;
    }
    const started = await this.move((await this.bots.findById(id))!, 'running', null, { startedAt: new Date() }, 'bot.started');
    if (started.feed.kind === 'replay') await this.jobs.enqueue('bots.replay', { botId: id }, { jobId: `${id}.replay.start.${Date.now()}` });
    return started;
  }

  async pause(userId: string, id: string, reason = 'paused by the trader'): Promise<BotEntity> {
    return this.move(await this.require(userId, id), 'paused', reason, {}, 'bot.paused');
  }

  async resume(userId: string, id: string): Promise<BotEntity> {
    const bot = await this.move(await this.require(userId, id), 'running', null, {}, 'bot.started');
    if (bot.feed.kind === 'replay') await this.jobs.enqueue('bots.replay', { botId: id }, { jobId: `${id}.replay.resume.${Date.now()}` });
    return bot;
  }

  /** Stop: cancel the bot's resting orders; `closePosition` also closes what it holds at market. */
  async stop(userId: string, id: string, closePosition = false, reason = 'stopped by the trader'): Promise<BotEntity> {
    const bot = await this.require(userId, id);
    if (bot.status === 'stopped') throw new ConflictError('bot is already stopped', { status: bot.status });
    if (bot.status !== 'stopping') await this.move(bot, 'stopping', closePosition ? 'stopping; closing the position' : 'stopping');
    await this.cancelResting(id);
    await this.orders.dispatchBot(id);
    if (closePosition) await this.closePosition(userId, bot);
    return this.move((await this.bots.findById(id))!, 'stopped', reason, { stoppedAt: new Date() }, 'bot.stopped');
  }

  /**
   * The owner was disabled (event `user.disabled`): every bot of theirs that is not stopped stops like a trader's stop
   * (resting orders canceled, positions left as they are). Idempotent: a redelivered event finds them stopped.
   */
  async stopAllOfUser(userId: string, reason: string): Promise<number> {
    let stopped = 0;
    for (const bot of await this.bots.listNotStoppedOfUser(userId)) {
      await this.stop(userId, bot.id, false, reason);
      stopped++;
    }
    if (stopped) this.logger.log({ msg: 'bots of a disabled user stopped', userId, stopped });
    return stopped;
  }

  /** The runtime gave up on the bot (its evaluation failed every retry): `error` with the reason, and a bot.error event. */
  async fail(id: string, reason: string): Promise<void> {
    const bot = await this.bots.findById(id);
    if (!bot || bot.status === 'error' || bot.status === 'stopped') return;
    await this.move(bot, 'error', reason.slice(0, 500), {}, 'bot.error');
    this.logger.error({ msg: 'bot moved to error', botId: id, reason });
  }

  /** Settings change: validated now, journaled and applied from the bot's next evaluation. */
  async updateSettings(userId: string, id: string, patch: Record<string, unknown>): Promise<BotEntity> {
    const bot = await this.require(userId, id);
    const next = storedSettings(bot.strategy, { ...storedSettings(bot.strategy, bot.settings), ...storedSettings(bot.strategy, patch) });
    try {
      const strategy = botStrategy(bot.strategy);
      const parsed = strategy.parseSettings(next);
      // a strategy that reacts to a settings change checks it against its state now, not at the next evaluation
      if (strategy.onSettings && bot.state !== null) strategy.onSettings(structuredClone(bot.state), parsed);
    } catch (e) {
      if (e instanceof StrategySettingsError) throw new InvalidBotSettingsError(e);
      throw e;
    }
    await this.saveSettings(id, next);
    if (bot.feed.kind === 'live') await this.jobs.enqueue('bots.evaluate', { botId: id }, { jobId: `${id}.settings.${Date.now()}` });
    return (await this.bots.findById(id))!;
  }

  @Transactional()
  private async saveSettings(id: string, settings: Record<string, unknown>): Promise<void> {
    await this.bots.setSettings(id, settings);
    await this.bots.addInput(id, `settings:${randomUUID()}`, 'settings', { settings });
  }

  list(userId: string, strategy: BotStrategyName, limit: number, offset: number): Promise<[BotEntity[], number]> {
    return this.bots.listForUser(userId, strategy, limit, offset);
  }

  async get(userId: string, id: string, strategy?: BotStrategyName): Promise<BotEntity> {
    const bot = await this.require(userId, id);
    if (strategy && bot.strategy !== strategy) throw new NotFoundError('bot', id);
    return bot;
  }

  async openOrders(userId: string, id: string) {
    await this.require(userId, id);
    return this.orders.ordersOfBot(id, true);
  }

  async trades(userId: string, id: string): Promise<{ trades: TradeRecord[]; open: Record<'long' | 'short', { qty: number; avg: number }>; realized: number; fees: number }> {
    await this.require(userId, id);
    return this.tradesOf(id);
  }

  /** Closed trades from the bot's fills (no user check: for the runtime and tests). */
  async tradesOf(id: string) {
    const bot = await this.bots.findById(id);
    const fills = await this.orders.fillsOfBot(id);
    const orders = new Map((await this.orders.ordersByIds([...new Set(fills.map((f) => f.orderId))])).map((o) => [o.id, o]));
    const views: BotFillView[] = fills.map((f) => {
      const o = orders.get(f.orderId);
      return {
        key: o?.intentKey ?? f.orderId,
        tag: o?.tag ?? 'unknown',
        side: f.side,
        positionSide: f.positionSide,
        amount: Number(f.amount),
        price: Number(f.price),
        fee: Number(f.feeQuote),
        time: f.executedAt.getTime(),
        orderType: o?.type ?? 'market',
        maker: o?.type === 'limit',
        reduceOnly: o?.reduceOnly ?? false,
      };
    });
    const { trades, open } = botTrades(views, { perFill: bot !== null && botStrategy(bot.strategy).tradesPerFill === true });
    let realized = 0;
    let fees = 0;
    for (const t of trades) realized += t.pnl;
    for (const v of views) fees += v.fee;
    return { trades, open, realized, fees };
  }

  async decisions(userId: string, id: string, afterSeq: number, limit: number) {
    await this.require(userId, id);
    return this.bots.listDecisions(id, afterSeq, limit);
  }

  lastDecision(id: string) {
    return this.bots.lastDecision(id);
  }

  // ------------------------------------------------------------------ internals

  private async require(userId: string, id: string): Promise<BotEntity> {
    const bot = await this.bots.findForUser(userId, id);
    if (!bot) throw new NotFoundError('bot', id);
    return bot;
  }

  private async insertUnique(b: Parameters<BotsRepository['insert']>[0]): Promise<void> {
    await this.bots.insert(b);
  }

  /** A status move with its event, row-locked (illegal moves answer 409 ILLEGAL_STATE_TRANSITION). */
  @Transactional()
  private async move(
    bot: BotEntity,
    to: BotStatus,
    reason: string | null,
    extra: Partial<Pick<BotEntity, 'startedAt' | 'stoppedAt'>> = {},
    event?: EventType,
  ): Promise<BotEntity> {
    const current = await this.bots.lock(bot.id);
    if (!current) throw new NotFoundError('bot', bot.id);
    assertBotMove(current.status, to);
    try {
      await this.bots.setStatus(bot.id, to, reason, extra);
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw new ConflictError(`another bot is already active on this account for ${bot.symbol}: two bots cannot share one exchange position`, {
          accountId: bot.accountId,
          symbol: bot.symbol,
        });
      }
      throw e;
    }
    if (event) await this.outbox.append(event, bot.userId, { botId: bot.id, strategy: bot.strategy, symbol: bot.symbol, status: to, reason });
    return Object.assign(current, { status: to, statusReason: reason, ...extra });
  }

  @Transactional()
  private async cancelResting(id: string): Promise<void> {
    const open = await this.orders.ordersOfBot(id, true);
    await this.orders.writeBotActions(open.map((o) => ({ kind: 'cancel', botId: id, intentKey: o.intentKey, reason: 'bot_stopped' })));
  }

  private async closePosition(userId: string, bot: BotEntity): Promise<void> {
    const { open } = await this.tradesOf(bot.id);
    let placed = false;
    for (const side of ['long', 'short'] as const) {
      const qty = open[side].qty;
      if (!(qty > 0)) continue;
      await this.orders.place({
        userId,
        accountId: bot.accountId,
        botId: null,
        intentKey: `${bot.id}:stop:${Date.now()}:${side}`,
        symbol: bot.symbol,
        type: 'market',
        side: side === 'long' ? 'sell' : 'buy',
        positionSide: side,
        amount: qty,
        reduceOnly: true,
        tag: 'manual',
      });
      placed = true;
    }
    if (placed && bot.feed.kind === 'replay') await this.settleReplay(bot);
  }

  /**
   * A replayed market order fills at the next price of the walk, and a stopping replay bot walks no further: the paper
   * exchange settles the walk at its last price (the close fills there, as on a live exchange) and the OMS records it.
   */
  private async settleReplay(bot: BotEntity): Promise<void> {
    const { port } = await this.accounts.exchangeForAccountId(bot.accountId);
    if (!(port instanceof PaperExchange)) return;
    const settled = await port.settleReplay(bot.symbol);
    await this.orders.syncByClientOrderIds(bot.accountId, bot.symbol, settled.touched);
  }

  private async marketOf(port: ExchangePort, symbol: string): Promise<ExchangeMarket> {
    try {
      await port.loadMarkets();
    } catch (e) {
      throw new DomainError(ErrorCode.ExchangeUnavailable, `the exchange does not answer: ${(e as Error).message}`);
    }
    try {
      return port.market(symbol);
    } catch {
      throw new BadRequestError(`unknown symbol ${symbol} on ${port.exchangeId}`, { field: 'symbol', symbol });
    }
  }

  private async feedOf(port: ExchangePort, cmd: CreateBotCommand, market: ExchangeMarket, timeframe: Timeframe): Promise<BotFeed> {
    const f = cmd.feed ?? { kind: 'live' as const };
    if (f.kind === 'live') return { kind: 'live' };
    if (f.kind !== 'replay') throw new BadRequestError('feed.kind must be live or replay', { field: 'feed.kind' });
    if (port.exchangeId !== 'paper') throw new BadRequestError('a replay feed needs a paper account', { field: 'feed' });
    const from = toTime(f.from);
    const to = toTime(f.to);
    if (!Number.isFinite(from) || !Number.isFinite(to) || !(to > from)) throw new BadRequestError('feed.from and feed.to must be times with from < to', { field: 'feed' });
    const speed = f.speed ?? null;
    if (speed !== null && !(typeof speed === 'number' && speed > 0 && speed <= 1e6)) throw new BadRequestError('feed.speed must be > 0 (or null: as fast as possible)', { field: 'feed.speed' });
    const source = feedExchangeId(port.exchangeId, market.symbol);
    const n = (await this.candles.findRange(source, market.symbol, timeframe, from, to + 1)).length; // from and to are inclusive open times
    if (n === 0) {
      throw new DomainError(ErrorCode.NoMarketData, `no stored ${timeframe} candles of ${market.symbol} (${source}) between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}; import them with tb data import`, {
        exchange: source,
        symbol: market.symbol,
        timeframe,
      });
    }
    return { kind: 'replay', from, to, speed };
  }

  private checkInvestment(strategy: BotStrategyName, s: Record<string, unknown>, m: ExchangeMarket): void {
    const leverage = m.type === 'perp' ? Number(s.leverage ?? 1) : 1;
    const investment = strategy === 'grid' ? Number(s.investment ?? 0) : Number(s.investment ?? s.entry_amount ?? 0);
    if (!(investment > 0)) return; // sized from the balance: the strategy checks each order against the minimums
    const notional = investment * leverage;
    const minimum = Math.max(MIN_BOT_NOTIONAL_USDT, m.minNotional);
    if (notional < minimum) {
      throw new DomainError(ErrorCode.OrderBelowMinimum, `investment × leverage = ${notional} ${m.quote} is below the minimum of ${minimum} ${m.quote}`, {
        field: 'settings.investment',
        investment,
        leverage,
        minimum,
      });
    }
  }
}

/** The margin mode a bot's perpetual is simulated with: the settings' `margin_mode`/`marginMode`, else the strategy's default. */
export function marginModeOf(strategy: BotStrategyName, settings: Record<string, unknown>): 'isolated' | 'cross' {
  const explicit = settings.margin_mode ?? settings.marginMode;
  if (explicit === 'cross' || explicit === 'isolated') return explicit;
  return botStrategy(strategy).defaultMarginMode ?? 'isolated';
}

function toSpec(m: ExchangeMarket): MarketSpec {
  return { symbol: m.symbol, type: m.type, tickSize: m.tickSize, amountStep: m.amountStep, minAmount: m.minAmount, minNotional: m.minNotional };
}
