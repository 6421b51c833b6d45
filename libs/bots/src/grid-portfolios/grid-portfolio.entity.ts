import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Timeframe } from '@tb/strategies';
import type { PortfolioMetric, SymbolScore } from './portfolio-selection';

export type GridPortfolioStatus = 'running' | 'stopped';

@Entity('grid_portfolios')
export class GridPortfolioEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('varchar') name!: string;
  @Column('varchar') timeframe!: Timeframe;
  @Column('jsonb') settings!: Record<string, unknown>;
  @Column('varchar') metric!: PortfolioMetric;
  @Column('int', { name: 'lookback_hours' }) lookbackHours!: number;
  @Column('int', { name: 'interval_minutes' }) intervalMinutes!: number;
  @Column('int', { name: 'max_bots' }) maxBots!: number;
  @Column('int', { name: 'min_trades' }) minTrades!: number;
  @Column('jsonb') whitelist!: string[];
  @Column('jsonb') blacklist!: string[];
  @Column('varchar') status!: GridPortfolioStatus;
  @Column('jsonb', { nullable: true }) ranking!: SymbolScore[] | null;
  @Column('bigint', { name: 'ranked_at', nullable: true }) rankedAt!: string | null;
  @Column('bigint', { name: 'next_run_at', nullable: true }) nextRunAt!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('grid_portfolio_bots')
export class GridPortfolioBotEntity {
  @PrimaryColumn('uuid', { name: 'portfolio_id' }) portfolioId!: string;
  @PrimaryColumn('uuid', { name: 'bot_id' }) botId!: string;
  @Column('varchar') symbol!: string;
  @Column('bigint', { name: 'started_at' }) startedAt!: string;
  @Column('bigint', { name: 'stopped_at', nullable: true }) stoppedAt!: string | null;
  @Column('varchar', { name: 'stop_reason', nullable: true }) stopReason!: string | null;
}
