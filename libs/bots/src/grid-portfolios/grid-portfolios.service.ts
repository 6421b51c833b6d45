import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BadRequestError, Clock, ConflictError, DomainError, ErrorCode, NotFoundError } from '@tb/common';
import { ExchangeAccountsService } from '@tb/accounts';
import { MarketCandlesRepository, feedExchangeId } from '@tb/market';
import { StrategySettingsError, gridStrategy, isTimeframe, timeframeMs, type GridSettings, type GridState } from '@tb/strategies';
import type { BotEntity } from '../bot.entity';
import { BotsRepository } from '../bots.repository';
import { BotsService } from '../bots.service';
import { InvalidBotSettingsError } from '../bots.errors';
import { GridPortfoliosRepository } from './grid-portfolios.repository';
import type { GridPortfolioBotEntity, GridPortfolioEntity } from './grid-portfolio.entity';
import { planSelection, scoreSymbol, sortRanking, type ActiveSymbol, type PortfolioMetric, type SelectionPlan, type SymbolScore, type SymbolSeries } from './portfolio-selection';

export interface CreatePortfolioCommand {
  readonly accountId: string;
  readonly name: string;
  readonly timeframe: string;
  /** grid settings of the bots (adaptive mode: the levels follow each symbol) */
  readonly settings: Record<string, unknown>;
  readonly maxBots: number;
  readonly metric?: PortfolioMetric;
  readonly lookbackHours?: number;
  readonly intervalMinutes?: number;
  readonly minTrades?: number;
  readonly whitelist?: readonly string[];
  readonly blacklist?: readonly string[];
  readonly start?: boolean;
}

export interface PortfolioDetailView {
  readonly portfolio: GridPortfolioEntity;
  readonly bots: ReadonlyArray<{ readonly link: GridPortfolioBotEntity; readonly bot: BotEntity | null }>;
}

export interface RebalanceOutcome {
  readonly ranking: readonly SymbolScore[];
  readonly plan: SelectionPlan;
  /** bots started in this round, by symbol */
  readonly started: Readonly<Record<string, string>>;
  /** symbols the plan picked but whose bot could not start, with why */
  readonly refused: Readonly<Record<string, string>>;
}

/** The original ranks every 4 h (periodic_analysis interval 14,400 s). */
export const DEFAULT_PORTFOLIO_INTERVAL_MINUTES = 240;
export const DEFAULT_PORTFOLIO_LOOKBACK_HOURS = 7 * 24;

/**
 * GRID portfolios (docs/adr/0019-grid-controls-and-stats.md): create/list/detail/start/stop, and the periodic round
 * (`runDue`, driven by the worker's scheduler): rank the exchange's symbols on their recent stored candles, stop
 * the bots whose symbol went stale (custom_stop) or was blacklisted, start bots on the best until N run.
 */
@Injectable()
export class GridPortfoliosService {
  private readonly logger = new Logger(GridPortfoliosService.name);

  constructor(
    private readonly repo: GridPortfoliosRepository,
    private readonly bots: BotsService,
    private readonly botRows: BotsRepository,
    private readonly accounts: ExchangeAccountsService,
    private readonly candles: MarketCandlesRepository,
    private readonly clock: Clock,
  ) {}

  async create(userId: string, cmd: CreatePortfolioCommand): Promise<PortfolioDetailView> {
    if (!isTimeframe(cmd.timeframe)) throw new BadRequestError(`unknown timeframe ${cmd.timeframe}`, { field: 'timeframe' });
    if (cmd.settings.mode !== undefined && cmd.settings.mode !== 'adaptive') {
      throw new BadRequestError('a portfolio runs adaptive grids (the levels follow each symbol); range grids need a price range per symbol', { field: 'settings.mode' });
    }
    const settings = { ...cmd.settings, mode: 'adaptive' };
    try {
      gridStrategy.parseSettings(settings);
    } catch (e) {
      if (e instanceof StrategySettingsError) throw new InvalidBotSettingsError(e);
      throw e;
    }
    const overlap = (cmd.whitelist ?? []).filter((s) => (cmd.blacklist ?? []).includes(s));
    if (overlap.length) throw new BadRequestError(`symbols both whitelisted and blacklisted: ${overlap.join(', ')}`, { field: 'blacklist' });
    await this.accounts.exchangeFor(userId, cmd.accountId); // another user's account: 404
    const id = randomUUID();
    await this.repo.insert({
      id,
      userId,
      accountId: cmd.accountId,
      name: cmd.name,
      timeframe: cmd.timeframe,
      settings,
      metric: cmd.metric ?? 'win_rate',
      lookbackHours: cmd.lookbackHours ?? DEFAULT_PORTFOLIO_LOOKBACK_HOURS,
      intervalMinutes: cmd.intervalMinutes ?? DEFAULT_PORTFOLIO_INTERVAL_MINUTES,
      maxBots: cmd.maxBots,
      minTrades: cmd.minTrades ?? 1,
      whitelist: [...(cmd.whitelist ?? [])],
      blacklist: [...(cmd.blacklist ?? [])],
      status: 'stopped',
    });
    this.logger.log({ msg: 'grid portfolio created', portfolioId: id, userId });
    if (cmd.start ?? true) return this.start(userId, id);
    return this.get(userId, id);
  }

  list(userId: string, limit: number, offset: number): Promise<[GridPortfolioEntity[], number]> {
    return this.repo.pageForUser(userId, limit, offset);
  }

  async get(userId: string, id: string): Promise<PortfolioDetailView> {
    return this.detailOf(await this.require(userId, id));
  }

  /** Running: its first round is due at once (the worker's next tick). */
  async start(userId: string, id: string): Promise<PortfolioDetailView> {
    const p = await this.require(userId, id);
    if (p.status === 'running') throw new ConflictError('the portfolio is already running', { status: p.status });
    await this.repo.setStatus(id, 'running', this.clock.now());
    return this.get(userId, id);
  }

  /** Stopped: its bots are stopped and their positions closed. */
  async stop(userId: string, id: string): Promise<PortfolioDetailView> {
    const p = await this.require(userId, id);
    if (p.status === 'stopped') throw new ConflictError('the portfolio is already stopped', { status: p.status });
    await this.repo.setStatus(id, 'stopped', null);
    const now = this.clock.now();
    for (const link of await this.repo.activeBots(id)) await this.stopBot(p, link.botId, now, 'portfolio_stopped');
    return this.get(userId, id);
  }

  /** The worker's tick: every running portfolio whose round is due, claimed so that one worker runs it. */
  async runDue(now: number): Promise<number> {
    let n = 0;
    for (const id of await this.repo.dueIds(now)) {
      const p = await this.repo.findById(id);
      if (!p || !(await this.repo.claim(id, now, now + p.intervalMinutes * 60_000))) continue;
      try {
        await this.rebalance(id, now);
        n++;
      } catch (e) {
        this.logger.error({ msg: 'grid portfolio round failed', portfolioId: id, error: (e as Error).message });
      }
    }
    return n;
  }

  /** One round at `now`: rank, then stop/start bots as planned. */
  async rebalance(id: string, now: number): Promise<RebalanceOutcome> {
    const p = await this.repo.findById(id);
    if (!p) throw new NotFoundError('grid portfolio', id);
    const settings = gridStrategy.parseSettings(p.settings);
    const ranking = await this.rank(p, settings, now);
    await this.repo.saveRanking(id, ranking, now);

    const active: ActiveSymbol[] = [];
    for (const link of await this.repo.activeBots(id)) {
      const bot = await this.botRows.findById(link.botId);
      if (!bot || bot.status === 'stopped' || bot.status === 'error') {
        await this.repo.markStopped(id, link.botId, now, bot?.status === 'error' ? 'bot_error' : 'bot_stopped'); // stopped by its trader: the slot is free
        continue;
      }
      active.push({ symbol: link.symbol, botId: link.botId, stale: isStale(bot, link, settings, now) });
    }
    const plan = planSelection({ ranking, active, whitelist: p.whitelist, blacklist: p.blacklist, maxBots: p.maxBots, minTrades: p.minTrades });
    for (const s of plan.stop) await this.stopBot(p, s.botId, now, s.reason);
    const started: Record<string, string> = {};
    const refused: Record<string, string> = {};
    for (const symbol of plan.start) {
      try {
        const bot = await this.bots.create(p.userId, 'grid', { accountId: p.accountId, symbol, timeframe: p.timeframe, settings: p.settings, feed: { kind: 'live' } });
        await this.repo.addBot(id, bot.id, symbol, now);
        started[symbol] = bot.id;
      } catch (e) {
        refused[symbol] = (e as Error).message;
        this.logger.warn({ msg: 'grid portfolio could not start a bot', portfolioId: id, symbol, error: (e as Error).message });
      }
    }
    this.logger.log({ msg: 'grid portfolio round', portfolioId: id, ranked: ranking.length, stopped: plan.stop.length, started: Object.keys(started) });
    return { ranking, plan, started, refused };
  }

  // ------------------------------------------------------------------ internals

  private async require(userId: string, id: string): Promise<GridPortfolioEntity> {
    const p = await this.repo.findForUser(userId, id);
    if (!p) throw new NotFoundError('grid portfolio', id);
    return p;
  }

  private async detailOf(p: GridPortfolioEntity): Promise<PortfolioDetailView> {
    const links = await this.repo.allBots(p.id);
    const bots = [];
    for (const link of links) bots.push({ link, bot: await this.botRows.findById(link.botId) });
    return { portfolio: (await this.repo.findById(p.id))!, bots };
  }

  /**
   * Backtest the exchange's markets (blacklist left out) on their closed candles of the recent window, from storage,
   * one symbol at a time with a yield to the event loop in between (a round never blocks the worker for more than one
   * backtest). custom_stop is the runtime's replacement rule, not part of a symbol's score: the ranking grid runs the
   * whole window.
   */
  private async rank(p: GridPortfolioEntity, settings: GridSettings, now: number): Promise<SymbolScore[]> {
    const scores: SymbolScore[] = [];
    const rankSettings = { ...p.settings, customStopMinutes: null };
    for (const series of await this.seriesOf(p, now)) {
      const score = scoreSymbol(await series(), rankSettings, p.timeframe, p.metric, settings.investment);
      if (score) scores.push(score);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return sortRanking(scores);
  }

  /** The candidate markets, each with a loader of its stored closed candles of the recent window. */
  private async seriesOf(p: GridPortfolioEntity, now: number): Promise<Array<() => Promise<SymbolSeries>>> {
    const { port } = await this.accounts.exchangeForAccountId(p.accountId);
    let markets;
    try {
      markets = await port.loadMarkets();
    } catch (e) {
      throw new DomainError(ErrorCode.ExchangeUnavailable, `the exchange does not answer: ${(e as Error).message}`);
    }
    const tf = timeframeMs(p.timeframe);
    const from = now - p.lookbackHours * 3_600_000;
    return [...markets.values()]
      .filter((m) => m.active && !p.blacklist.includes(m.symbol))
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((m) => async (): Promise<SymbolSeries> => ({
        symbol: m.symbol,
        market: { symbol: m.symbol, type: m.type, tickSize: m.tickSize, amountStep: m.amountStep, minAmount: m.minAmount, minNotional: m.minNotional },
        candles: (await this.candles.findRange(feedExchangeId(port.exchangeId, m.symbol), m.symbol, p.timeframe, from, now)).filter((c) => c.time + tf <= now),
      }));
  }

  private async stopBot(p: GridPortfolioEntity, botId: string, now: number, reason: string): Promise<void> {
    try {
      await this.bots.stop(p.userId, botId, true);
    } catch (e) {
      if (!(e instanceof ConflictError) && !(e instanceof DomainError && e.code === ErrorCode.IllegalStateTransition)) throw e; // already stopped
    }
    await this.repo.markStopped(p.id, botId, now, reason);
  }
}

/**
 * custom_stop: no new entry for that many minutes (since the last entry, else since the grid started, else since the
 * portfolio started the bot), or the grid stopped itself (its own time stop, stop-loss, liquidation).
 */
export function isStale(bot: BotEntity, link: GridPortfolioBotEntity, settings: GridSettings, now: number): boolean {
  const state = bot.state as GridState | null;
  if (state?.status === 'stopped') return true;
  if (settings.customStopMinutes === null) return false;
  const since = state?.lastEntryTime ?? state?.startTime ?? Number(link.startedAt);
  return now - since >= settings.customStopMinutes * 60_000;
}
