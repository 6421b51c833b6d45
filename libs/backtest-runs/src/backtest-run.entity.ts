import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Lifecycle of a stored run: queued → running → completed | failed | cancelled (a cancelled queued run never runs). */
export const BACKTEST_RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type BacktestRunStatus = (typeof BACKTEST_RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: readonly BacktestRunStatus[] = ['completed', 'failed', 'cancelled'];

/** How the run was requested: queued for the worker, or run inside the API request (small ranges). */
export type BacktestRunMode = 'async' | 'sync';

/**
 * One backtest run (table `backtest_runs`, migration BacktestRuns1732600000000 in @tb/database). The repository
 * works with SQL for the hot paths (claim, heartbeat, bulk result writes); the entities document the tables.
 */
@Entity({ name: 'backtest_runs' })
@Check('chk_backtest_runs_status', `"status" IN ('queued', 'running', 'completed', 'failed', 'cancelled')`)
@Check('chk_backtest_runs_mode', `"mode" IN ('async', 'sync')`)
@Check('chk_backtest_runs_progress', `"progress" >= 0 AND "progress" <= 1`)
@Check('chk_backtest_runs_range', `"range_from" < "range_to"`)
@Check('chk_backtest_runs_attempts', `"attempts" >= 0`)
@Check('chk_backtest_runs_completed', `"status" <> 'completed' OR ("metrics" IS NOT NULL AND "finished_at" IS NOT NULL)`)
@Index('ix_backtest_runs_user_queued', { synchronize: false })
@Index('ix_backtest_runs_active', { synchronize: false })
export class BacktestRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_backtest_runs' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  strategy: string;

  @Column({ type: 'varchar', length: 32 })
  exchange: string;

  @Column({ type: 'varchar', length: 64 })
  symbol: string;

  @Column({ type: 'varchar', length: 8 })
  timeframe: string;

  @Column({ name: 'range_from', type: 'timestamptz' })
  rangeFrom: Date;

  @Column({ name: 'range_to', type: 'timestamptz' })
  rangeTo: Date;

  @Column({ type: 'jsonb' })
  settings: unknown;

  @Column({ type: 'jsonb' })
  request: unknown;

  @Column({ type: 'varchar', length: 8 })
  mode: BacktestRunMode;

  @Column({ type: 'varchar', length: 16 })
  status: BacktestRunStatus;

  @Column({ type: 'numeric', precision: 5, scale: 4, default: 0 })
  progress: string;

  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested: boolean;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'claim_id', type: 'uuid', nullable: true })
  claimId: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  candles: number | null;

  @Column({ name: 'final_balance', type: 'numeric', nullable: true })
  finalBalance: string | null;

  @Column({ type: 'jsonb', nullable: true })
  metrics: unknown;
}

/** One closed trade of a run (table `backtest_trades`). */
@Entity({ name: 'backtest_trades' })
@Check('chk_backtest_trades_side', `"side" IN ('long', 'short')`)
export class BacktestTradeEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'pk_backtest_trades' })
  runId: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_backtest_trades' })
  seq: number;

  @Column({ name: 'entry_time', type: 'timestamptz' })
  entryTime: Date;

  @Column({ name: 'exit_time', type: 'timestamptz' })
  exitTime: Date;

  @Column({ type: 'varchar', length: 5 })
  side: string;

  @Column({ name: 'entry_price', type: 'numeric' })
  entryPrice: string;

  @Column({ name: 'exit_price', type: 'numeric' })
  exitPrice: string;

  @Column({ type: 'numeric' })
  qty: string;

  @Column({ name: 'dca_count', type: 'integer' })
  dcaCount: number;

  @Column({ type: 'numeric' })
  pnl: string;

  @Column({ name: 'pnl_pct', type: 'numeric' })
  pnlPct: string;

  @Column({ type: 'numeric' })
  fees: string;

  @Column({ type: 'numeric' })
  funding: string;

  @Column({ type: 'varchar', length: 64 })
  reason: string;

  @Column({ name: 'entry_tag', type: 'varchar', length: 64 })
  entryTag: string;

  @Column({ name: 'duration_ms', type: 'bigint' })
  durationMs: string;
}

/** One point of a run's downsampled equity curve (table `backtest_equity`). */
@Entity({ name: 'backtest_equity' })
export class BacktestEquityEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'pk_backtest_equity' })
  runId: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_backtest_equity' })
  time: Date;

  @Column({ type: 'numeric' })
  equity: string;

  @Column({ name: 'drawdown_pct', type: 'numeric' })
  drawdownPct: string;
}

/** The HTML report of a completed run (table `backtest_reports`), stored without the inlined chart library. */
@Entity({ name: 'backtest_reports' })
export class BacktestReportEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid', primaryKeyConstraintName: 'pk_backtest_reports' })
  runId: string;

  @Column({ type: 'text' })
  html: string;
}

export const BACKTEST_RUN_ENTITIES = [BacktestRunEntity, BacktestTradeEntity, BacktestEquityEntity, BacktestReportEntity];
