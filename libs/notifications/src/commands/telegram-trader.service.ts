import { Injectable } from '@nestjs/common';
import { BadRequestError, NotFoundError } from '@tb/common';
import { ExchangeAccountsService } from '@tb/accounts';
import { BacktestRunsService } from '@tb/backtest-runs';
import { BotCommandsService, BotsHttpService, BotsService, PresetsService, StatsService, type BotDetailView, type BotStrategyName, type BotSummaryView } from '@tb/bots';
import { MarketCandlesRepository, feedExchangeId } from '@tb/market';
import { PositionsService } from '@tb/positions';
import { timeframeMs, type Timeframe } from '@tb/strategies';
import type { BacktestView, BalanceView, BotLine, DayView, PositionView, ProfitView, ProtectionOrderView, TradeView } from './format';
import type { TradeDraft } from './conversation.store';

const STRATEGIES: readonly BotStrategyName[] = ['hyperrsi', 'grid'];
/** Candles a /backtest and a replay feed walk: the last ones stored. */
export const QUICK_CANDLES = 500;
/** At most this many bots, trades, days in one answer. */
const MAX_BOTS = 50;
const MAX_TRADES = 15;

export type ManualSide = 'long' | 'short';

/**
 * What the Telegram commands do, for one linked user: the same services as the REST API (BotsHttpService for the
 * bots, BotCommandsService for manual SL/TP, StatsService, PresetsService, ExchangeAccountsService, PositionsService,
 * BacktestRunsService), so a bot of another user is 404 here exactly as there. Returns plain views for format.ts.
 */
@Injectable()
export class TelegramTraderService {
  constructor(
    private readonly bots: BotsService,
    private readonly botsHttp: BotsHttpService,
    private readonly commands: BotCommandsService,
    private readonly stats: StatsService,
    private readonly presets: PresetsService,
    private readonly accounts: ExchangeAccountsService,
    private readonly positions: PositionsService,
    private readonly backtests: BacktestRunsService,
    private readonly candles: MarketCandlesRepository,
  ) {}

  /** Every bot of the user (both strategies), newest first, with PnL; `detail` adds position and unrealized PnL. */
  async botLines(userId: string, detail: boolean): Promise<BotLine[]> {
    const out: Array<ReturnType<typeof lineOf>> = [];
    for (const strategy of STRATEGIES) {
      const page = await this.botsHttp.list(userId, strategy, undefined, MAX_BOTS, 0);
      for (const s of page.items) out.push(detail && s.bot.status !== 'stopped' ? lineOf(await this.botsHttp.get(userId, strategy, s.bot.id)) : lineOf(s));
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).map(({ createdAt: _c, ...l }) => l);
  }

  /** The user's bots in the given statuses (for the pick-a-bot keyboards). */
  async botsIn(userId: string, statuses: readonly string[]): Promise<BotLine[]> {
    return (await this.botLines(userId, false)).filter((b) => statuses.includes(b.status));
  }

  async bot(userId: string, botId: string): Promise<BotDetailView> {
    const b = await this.bots.get(userId, botId);
    return this.botsHttp.get(userId, b.strategy, botId);
  }

  async stop(userId: string, botId: string, closePosition: boolean): Promise<BotLine> {
    const b = await this.bots.get(userId, botId);
    return lineOf(await this.botsHttp.stop(userId, b.strategy, botId, closePosition));
  }

  async pause(userId: string, botId: string): Promise<BotLine> {
    const b = await this.bots.get(userId, botId);
    return lineOf(await this.botsHttp.pause(userId, b.strategy, botId));
  }

  async resume(userId: string, botId: string): Promise<BotLine> {
    const b = await this.bots.get(userId, botId);
    return lineOf(await this.botsHttp.resume(userId, b.strategy, botId));
  }

  async updateSetting(userId: string, botId: string, name: string, value: unknown): Promise<BotDetailView> {
    const b = await this.bots.get(userId, botId);
    return this.botsHttp.updateSettings(userId, b.strategy, botId, { [name]: value });
  }

  async accountList(userId: string): Promise<Array<{ id: string; label: string; exchange: string }>> {
    return (await this.accounts.list(userId, MAX_BOTS, 0)).items.map((a) => ({ id: a.id, label: a.label, exchange: a.exchange }));
  }

  async account(userId: string, accountId: string): Promise<{ id: string; label: string; exchange: string }> {
    const a = await this.accounts.get(userId, accountId);
    return { id: a.id, label: a.label, exchange: a.exchange };
  }

  async presetList(userId: string): Promise<Array<{ id: string; name: string; isDefault: boolean }>> {
    return (await this.presets.list(userId)).map((p) => ({ id: p.id, name: p.name, isDefault: p.isDefault }));
  }

  async presetName(userId: string, presetId: string): Promise<string> {
    return (await this.presets.get(userId, presetId)).name;
  }

  /** /trade's last step: create and start the bot (the REST create: a refused activation leaves nothing behind). */
  async startBot(userId: string, d: TradeDraft): Promise<BotLine> {
    if (!d.accountId || !d.strategy || !d.symbol || !d.timeframe) throw new BadRequestError('the /trade flow is incomplete; start again with /trade');
    const settings = d.presetId ? { ...(await this.presets.get(userId, d.presetId)).settings } : {};
    const feed = d.feed === 'replay' ? await this.replayFeed(userId, d.accountId, d.symbol, d.timeframe as Timeframe) : { kind: 'live' as const };
    return lineOf(await this.botsHttp.create(userId, d.strategy, { accountId: d.accountId, symbol: d.symbol, timeframe: d.timeframe, settings, feed }));
  }

  /** A paper replay of the last stored candles at one candle per second. */
  private async replayFeed(userId: string, accountId: string, symbol: string, tf: Timeframe) {
    const source = feedExchangeId((await this.account(userId, accountId)).exchange, symbol);
    const latest = await this.candles.latestTime(source, symbol, tf);
    if (latest === null) throw new BadRequestError(`no stored ${tf} candles of ${symbol} to replay; import them with tb data import`);
    const ms = timeframeMs(tf);
    return { kind: 'replay' as const, from: latest - (QUICK_CANDLES - 1) * ms, to: latest, speed: ms / 1000 };
  }

  async balances(userId: string): Promise<BalanceView[]> {
    const out: BalanceView[] = [];
    for (const a of await this.accountList(userId)) {
      try {
        const b = await (await this.accounts.exchangeFor(userId, a.id)).fetchBalance();
        out.push({ label: a.label, exchange: a.exchange, assets: Object.entries(b.assets).map(([currency, e]) => ({ currency, ...e })) });
      } catch (e) {
        out.push({ label: a.label, exchange: a.exchange, error: (e as Error).message.slice(0, 200) });
      }
    }
    return out;
  }

  async openPositions(userId: string): Promise<PositionView[]> {
    const labels = new Map((await this.accountList(userId)).map((a) => [a.id, a.label]));
    const [rows] = await this.positions.list(userId, { status: 'open', limit: MAX_BOTS, offset: 0 });
    return rows.map((p) => ({ symbol: p.symbol, side: p.side, size: p.size, averageEntry: p.averageEntry, realizedPnl: p.realizedPnl, leverage: p.leverage, account: labels.get(p.accountId) ?? p.accountId.slice(0, 8) }));
  }

  /** The latest closed trades of all the user's bots. */
  async recentTrades(userId: string): Promise<TradeView[]> {
    const out: TradeView[] = [];
    for (const strategy of STRATEGIES) {
      for (const s of (await this.botsHttp.list(userId, strategy, undefined, MAX_BOTS, 0)).items) {
        const t = await this.botsHttp.trades(userId, strategy, s.bot.id);
        for (const r of t.trades) out.push({ botId: s.bot.id, symbol: s.bot.symbol, side: r.side, entryTime: r.entryTime, exitTime: r.exitTime, entryPrice: r.entryPrice, exitPrice: r.exitPrice, qty: r.qty, pnl: r.pnl, reason: r.reason });
      }
    }
    return out.sort((a, b) => b.exitTime - a.exitTime).slice(0, MAX_TRADES);
  }

  async profit(userId: string): Promise<ProfitView> {
    return (await this.stats.summary({ userId })).totals;
  }

  async daily(userId: string, n: number): Promise<DayView[]> {
    return [...(await this.stats.series({ userId }, 'day', n))];
  }

  /** A quick synchronous backtest of the bot's settings on its last stored candles (the REST POST /api/backtests/run). */
  async backtest(userId: string, botId: string): Promise<BacktestView> {
    const b = await this.bots.get(userId, botId);
    const source = feedExchangeId((await this.account(userId, b.accountId)).exchange, b.symbol);
    const latest = await this.candles.latestTime(source, b.symbol, b.timeframe);
    if (latest === null) throw new BadRequestError(`no stored ${b.timeframe} candles of ${b.symbol} to backtest on; import them with tb data import`);
    const ms = timeframeMs(b.timeframe);
    const from = latest - (QUICK_CANDLES - 1) * ms;
    const d = await this.backtests.runSync(userId, { strategy: b.strategy, exchange: source, symbol: b.symbol, timeframe: b.timeframe, from: new Date(from).toISOString(), to: new Date(latest + ms).toISOString(), settings: b.settings });
    const m = d.run.metrics;
    if (!m) throw new BadRequestError(`the backtest ended ${d.run.status}${d.run.error ? `: ${d.run.error}` : ''}`);
    return { strategy: b.strategy, symbol: b.symbol, timeframe: b.timeframe, from: m.startTime, to: m.endTime, candles: m.candles, initialBalance: m.initialBalance, finalBalance: m.finalBalance, totalReturnPct: m.totalReturnPct, maxDrawdownPct: m.maxDrawdownPct, trades: m.trades, winRatePct: m.winRatePct, sharpe: m.sharpe };
  }

  /**
   * The running or paused bot a /sl or /tp means: `ref` is a bot id (or its first characters) or a symbol; without a
   * ref, the user's only active bot.
   */
  async activeBot(userId: string, ref: string | undefined): Promise<BotLine> {
    const active = await this.botsIn(userId, ['running', 'paused']);
    const hits = ref ? active.filter((b) => b.id.startsWith(ref.toLowerCase()) || b.symbol.toUpperCase() === ref.toUpperCase()) : active;
    if (hits.length === 1) return hits[0];
    if (!hits.length) throw new NotFoundError('running bot', ref ?? '(any)');
    throw new BadRequestError(`${hits.length} running bots match; name one by its id: ${hits.map((b) => b.id.slice(0, 8)).join(', ')}`);
  }

  async setStopLoss(userId: string, botId: string, side: ManualSide, price: number): Promise<void> {
    await this.commands.submit(userId, botId, { type: 'set_stop_loss', side, price }, { source: 'telegram' });
  }

  async setTakeProfit(userId: string, botId: string, side: ManualSide, prices: number[], sizes: number[]): Promise<void> {
    await this.commands.submit(userId, botId, { type: 'set_take_profit', side, prices, sizes }, { source: 'telegram' });
  }

  async clear(userId: string, botId: string, kind: 'sl' | 'tp', side: ManualSide): Promise<void> {
    await this.commands.submit(userId, botId, { type: kind === 'sl' ? 'clear_stop_loss' : 'clear_take_profit', side }, { source: 'telegram' });
  }

  async protectionOrders(userId: string, botId: string): Promise<ProtectionOrderView[]> {
    const d = await this.bot(userId, botId);
    return d.openOrders.map((o) => ({ tag: o.tag, side: o.side, positionSide: o.positionSide, price: o.triggerPrice ?? o.price, amount: o.amount }));
  }
}

function lineOf(v: BotSummaryView | BotDetailView): BotLine & { createdAt: string } {
  const d = v as Partial<BotDetailView>;
  return {
    id: v.bot.id,
    strategy: v.bot.strategy,
    symbol: v.bot.symbol,
    timeframe: v.bot.timeframe,
    status: v.bot.status,
    statusReason: v.bot.statusReason,
    realizedPnl: v.realizedPnl,
    closedTrades: v.closedTrades,
    unrealizedPnl: d.unrealizedPnl ?? null,
    position: d.position,
    lastPrice: d.lastPrice ?? null,
    createdAt: new Date(v.bot.createdAt).toISOString(),
  };
}
