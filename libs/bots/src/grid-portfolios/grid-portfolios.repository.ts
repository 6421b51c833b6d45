import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { GridPortfolioBotEntity, GridPortfolioEntity, type GridPortfolioStatus } from './grid-portfolio.entity';
import type { SymbolScore } from './portfolio-selection';

export type NewGridPortfolio = Omit<GridPortfolioEntity, 'ranking' | 'rankedAt' | 'nextRunAt' | 'createdAt' | 'updatedAt'>;

/** The only place that touches grid portfolios and their bots. User-facing reads take the user id. */
@Injectable()
export class GridPortfoliosRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get portfolios() {
    return this.txHost.tx.getRepository(GridPortfolioEntity);
  }

  private get bots() {
    return this.txHost.tx.getRepository(GridPortfolioBotEntity);
  }

  async insert(p: NewGridPortfolio): Promise<void> {
    await this.portfolios.insert({ ...p, settings: p.settings as never, whitelist: p.whitelist as never, blacklist: p.blacklist as never, ranking: null, rankedAt: null, nextRunAt: null });
  }

  findForUser(userId: string, id: string): Promise<GridPortfolioEntity | null> {
    return this.portfolios.findOneBy({ id, userId });
  }

  findById(id: string): Promise<GridPortfolioEntity | null> {
    return this.portfolios.findOneBy({ id });
  }

  pageForUser(userId: string, limit: number, offset: number): Promise<[GridPortfolioEntity[], number]> {
    return this.portfolios.findAndCount({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  }

  async setStatus(id: string, status: GridPortfolioStatus, nextRunAt: number | null): Promise<void> {
    await this.portfolios.update({ id }, { status, nextRunAt: nextRunAt === null ? null : String(nextRunAt), updatedAt: new Date() });
  }

  /** Running portfolios whose ranking is due at `now`, oldest due first. */
  async dueIds(now: number, limit = 50): Promise<string[]> {
    const rows = await this.portfolios
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where(`p.status = 'running' AND p.next_run_at <= :now`, { now })
      .orderBy('p.next_run_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Claim a due run: moves next_run_at forward only if it is still due (one worker ranks a portfolio once per period). */
  async claim(id: string, now: number, next: number): Promise<boolean> {
    const res = await this.portfolios
      .createQueryBuilder()
      .update()
      .set({ nextRunAt: String(next) })
      .where(`id = :id AND status = 'running' AND next_run_at <= :now`, { id, now })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  async saveRanking(id: string, ranking: readonly SymbolScore[], at: number): Promise<void> {
    await this.portfolios
      .createQueryBuilder()
      .update()
      .set({ ranking: () => ':ranking::jsonb', rankedAt: String(at), updatedAt: () => 'now()' })
      .setParameters({ ranking: JSON.stringify(ranking) })
      .where('id = :id', { id })
      .execute();
  }

  activeBots(portfolioId: string): Promise<GridPortfolioBotEntity[]> {
    return this.bots.createQueryBuilder('b').where('b.portfolio_id = :portfolioId AND b.stopped_at IS NULL', { portfolioId }).orderBy('b.started_at').addOrderBy('b.symbol').getMany();
  }

  allBots(portfolioId: string): Promise<GridPortfolioBotEntity[]> {
    return this.bots.find({ where: { portfolioId }, order: { startedAt: 'ASC', symbol: 'ASC' } });
  }

  async addBot(portfolioId: string, botId: string, symbol: string, at: number): Promise<void> {
    await this.bots.insert({ portfolioId, botId, symbol, startedAt: String(at), stoppedAt: null, stopReason: null });
  }

  async markStopped(portfolioId: string, botId: string, at: number, reason: string): Promise<void> {
    await this.bots.update({ portfolioId, botId }, { stoppedAt: String(at), stopReason: reason });
  }
}
