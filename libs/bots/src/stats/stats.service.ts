import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@tb/common';
import { BotsRepository } from '../bots.repository';
import { computeStats, equityDrawdown, type EquityDrawdown, type OpenPositionStats, type PeriodRow, type StatsFill, type StatsPeriod, type StatsReport, type StatsTotals, type SymbolRow } from './stats.calculator';
import { StatsRepository, type StatsScope } from './stats.repository';

export interface StatsSummaryView {
  readonly totals: StatsTotals;
  readonly open: readonly OpenPositionStats[];
}

export interface BotStatsView extends StatsSummaryView {
  readonly botId: string;
  readonly symbol: string;
  readonly equity: EquityDrawdown & { readonly points: number; readonly first: string | null; readonly last: string | null };
}

/**
 * Statistics of a user, a bot or a symbol (docs/adr/0019-grid-controls-and-stats.md): the scope's fills folded by
 * `computeStats`, funding from its positions, open positions marked at the last candle its bots decided on (else the
 * last fill price). A bot id of another user is 404.
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly bots: BotsRepository,
  ) {}

  async summary(scope: StatsScope): Promise<StatsSummaryView> {
    const r = await this.report(scope);
    return { totals: r.totals, open: r.open };
  }

  /** One UTC period series, the last `limit` periods that had fills. */
  async series(scope: StatsScope, period: StatsPeriod, limit: number): Promise<readonly PeriodRow[]> {
    const rows = (await this.report(scope)).periods[period];
    return rows.slice(Math.max(0, rows.length - limit));
  }

  async performance(scope: StatsScope): Promise<readonly SymbolRow[]> {
    return (await this.report(scope)).bySymbol;
  }

  /** A bot's statistics with the max drawdown of its equity (snapshotted at every candle close). */
  async bot(userId: string, botId: string): Promise<BotStatsView> {
    const bot = await this.bots.findForUser(userId, botId);
    if (!bot) throw new NotFoundError('bot', botId);
    const r = await this.report({ userId, botId });
    const points = (await this.bots.equityOf(botId)).map((e) => ({ time: Number(e.time), equity: e.equity }));
    return {
      botId,
      symbol: bot.symbol,
      totals: r.totals,
      open: r.open,
      equity: { ...equityDrawdown(points), points: points.length, first: points[0]?.equity ?? null, last: points[points.length - 1]?.equity ?? null },
    };
  }

  private async report(scope: StatsScope): Promise<StatsReport> {
    if (scope.botId !== undefined && !(await this.bots.findForUser(scope.userId, scope.botId))) throw new NotFoundError('bot', scope.botId);
    const fills = await this.stats.fills(scope);
    const marks = { ...lastFillPrices(fills), ...(await this.stats.marks(scope)) };
    return computeStats({ fills, funding: await this.stats.funding(scope), marks });
  }
}

function lastFillPrices(fills: readonly StatsFill[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fills) out[f.symbol] = f.price; // in execution order: the last one stays
  return out;
}
