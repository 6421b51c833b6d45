import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored backtest runs (entities in @tb/backtest: BacktestRunEntity, BacktestTradeEntity, BacktestEquityEntity,
 * BacktestReportEntity). No JSON index files: everything a run produced is in PostgreSQL.
 * - backtest_runs: the request (normalised, with defaults), status machine queued → running → completed | failed |
 *   cancelled (CHECK), progress 0–1, attempts, timings, the error, the metrics (jsonb: a fixed, versioned
 *   document written once) and `claim_id`, the lease of the worker attempt that owns a running run (a worker whose
 *   lease was taken over can no longer write). `cancel_requested` is the cooperative-cancel flag the worker polls.
 * - backtest_trades: one row per closed trade, money and prices as numeric (exact decimal of the engine's doubles).
 * - backtest_equity: the equity curve DOWNSAMPLED to at most 2,000 points per run (last equity and deepest drawdown
 *   of each bucket). A 1m run over two years has ~1M candles; one row per candle would make every run a million
 *   rows for a chart that draws a few thousand points, and the full curve is reproducible from the stored request.
 * - backtest_reports: the HTML report, kept out of backtest_runs so history queries never drag it along.
 */
export class BacktestRuns1732600000000 implements MigrationInterface {
  name = 'BacktestRuns1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "backtest_runs" (
        "id"               uuid         NOT NULL DEFAULT gen_random_uuid(),
        "user_id"          uuid         NOT NULL,
        "strategy"         varchar(32)  NOT NULL,
        "exchange"         varchar(32)  NOT NULL,
        "symbol"           varchar(64)  NOT NULL,
        "timeframe"        varchar(8)   NOT NULL,
        "range_from"       timestamptz  NOT NULL,
        "range_to"         timestamptz  NOT NULL,
        "settings"         jsonb        NOT NULL,
        "request"          jsonb        NOT NULL,
        "mode"             varchar(8)   NOT NULL,
        "status"           varchar(16)  NOT NULL,
        "progress"         numeric(5,4) NOT NULL DEFAULT 0,
        "cancel_requested" boolean      NOT NULL DEFAULT false,
        "attempts"         integer      NOT NULL DEFAULT 0,
        "claim_id"         uuid,
        "error"            text,
        "error_code"       varchar(64),
        "queued_at"        timestamptz  NOT NULL DEFAULT now(),
        "started_at"       timestamptz,
        "finished_at"      timestamptz,
        "candles"          integer,
        "final_balance"    numeric,
        "metrics"          jsonb,
        CONSTRAINT "pk_backtest_runs" PRIMARY KEY ("id"),
        CONSTRAINT "fk_backtest_runs_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
        CONSTRAINT "chk_backtest_runs_status" CHECK ("status" IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        CONSTRAINT "chk_backtest_runs_mode" CHECK ("mode" IN ('async', 'sync')),
        CONSTRAINT "chk_backtest_runs_progress" CHECK ("progress" >= 0 AND "progress" <= 1),
        CONSTRAINT "chk_backtest_runs_range" CHECK ("range_from" < "range_to"),
        CONSTRAINT "chk_backtest_runs_attempts" CHECK ("attempts" >= 0),
        CONSTRAINT "chk_backtest_runs_completed" CHECK ("status" <> 'completed' OR ("metrics" IS NOT NULL AND "finished_at" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "ix_backtest_runs_user_queued" ON "backtest_runs" ("user_id", "queued_at" DESC, "id")`);
    await q.query(`CREATE INDEX "ix_backtest_runs_active" ON "backtest_runs" ("queued_at") WHERE "status" IN ('queued', 'running')`);

    await q.query(`
      CREATE TABLE "backtest_trades" (
        "run_id"      uuid        NOT NULL,
        "seq"         integer     NOT NULL,
        "entry_time"  timestamptz NOT NULL,
        "exit_time"   timestamptz NOT NULL,
        "side"        varchar(5)  NOT NULL,
        "entry_price" numeric     NOT NULL,
        "exit_price"  numeric     NOT NULL,
        "qty"         numeric     NOT NULL,
        "dca_count"   integer     NOT NULL,
        "pnl"         numeric     NOT NULL,
        "pnl_pct"     numeric     NOT NULL,
        "fees"        numeric     NOT NULL,
        "funding"     numeric     NOT NULL,
        "reason"      varchar(64) NOT NULL,
        "entry_tag"   varchar(64) NOT NULL,
        "duration_ms" bigint      NOT NULL,
        CONSTRAINT "pk_backtest_trades" PRIMARY KEY ("run_id", "seq"),
        CONSTRAINT "fk_backtest_trades_run" FOREIGN KEY ("run_id") REFERENCES "backtest_runs" ("id") ON DELETE CASCADE,
        CONSTRAINT "chk_backtest_trades_side" CHECK ("side" IN ('long', 'short'))
      )`);

    await q.query(`
      CREATE TABLE "backtest_equity" (
        "run_id"       uuid        NOT NULL,
        "time"         timestamptz NOT NULL,
        "equity"       numeric     NOT NULL,
        "drawdown_pct" numeric     NOT NULL,
        CONSTRAINT "pk_backtest_equity" PRIMARY KEY ("run_id", "time"),
        CONSTRAINT "fk_backtest_equity_run" FOREIGN KEY ("run_id") REFERENCES "backtest_runs" ("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "backtest_reports" (
        "run_id" uuid NOT NULL,
        "html"   text NOT NULL,
        CONSTRAINT "pk_backtest_reports" PRIMARY KEY ("run_id"),
        CONSTRAINT "fk_backtest_reports_run" FOREIGN KEY ("run_id") REFERENCES "backtest_runs" ("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "backtest_reports"`);
    await q.query(`DROP TABLE "backtest_equity"`);
    await q.query(`DROP TABLE "backtest_trades"`);
    await q.query(`DROP TABLE "backtest_runs"`);
  }
}
