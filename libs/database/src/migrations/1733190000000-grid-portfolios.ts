import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GRID symbol selection (docs/adr/0019-grid-controls-and-stats.md):
 * - `grid_portfolios`: a user's portfolio on one exchange account — the grid settings its bots run, how it ranks
 *   (metric, recent window, timeframe), up to how many bots, whitelist/blacklist, its status, the last ranking and
 *   when the next one is due (`next_run_at`, claimed with a conditional update: one worker ranks a portfolio once).
 * - `grid_portfolio_bots`: the bots a portfolio started, with when (the portfolio's clock) and why they were stopped.
 */
export class GridPortfolios1733190000000 implements MigrationInterface {
  name = 'GridPortfolios1733190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "grid_portfolios" (
        "id"               uuid PRIMARY KEY,
        "user_id"          uuid        NOT NULL REFERENCES "users"("id"),
        "account_id"       uuid        NOT NULL REFERENCES "exchange_accounts"("id"),
        "name"             varchar(100) NOT NULL,
        "timeframe"        varchar(8)  NOT NULL,
        "settings"         jsonb       NOT NULL,
        "metric"           varchar(16) NOT NULL CHECK ("metric" IN ('win_rate', 'total_return', 'profit_factor')),
        "lookback_hours"   integer     NOT NULL CHECK ("lookback_hours" > 0),
        "interval_minutes" integer     NOT NULL CHECK ("interval_minutes" > 0),
        "max_bots"         integer     NOT NULL CHECK ("max_bots" BETWEEN 1 AND 20),
        "min_trades"       integer     NOT NULL DEFAULT 1,
        "whitelist"        jsonb       NOT NULL DEFAULT '[]',
        "blacklist"        jsonb       NOT NULL DEFAULT '[]',
        "status"           varchar(16) NOT NULL CHECK ("status" IN ('running', 'stopped')),
        "ranking"          jsonb,
        "ranked_at"        bigint,
        "next_run_at"      bigint,
        "created_at"       timestamptz NOT NULL DEFAULT now(),
        "updated_at"       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "ix_grid_portfolios_user" ON "grid_portfolios" ("user_id", "created_at")`);
    await q.query(`CREATE INDEX "ix_grid_portfolios_due" ON "grid_portfolios" ("next_run_at") WHERE "status" = 'running'`);
    await q.query(`
      CREATE TABLE "grid_portfolio_bots" (
        "portfolio_id"  uuid        NOT NULL REFERENCES "grid_portfolios"("id") ON DELETE CASCADE,
        "bot_id"        uuid        NOT NULL REFERENCES "bots"("id"),
        "symbol"        varchar(64) NOT NULL,
        "started_at"    bigint      NOT NULL,
        "stopped_at"    bigint,
        "stop_reason"   varchar(32),
        PRIMARY KEY ("portfolio_id", "bot_id")
      )`);
    await q.query(`CREATE INDEX "ix_grid_portfolio_bots_active" ON "grid_portfolio_bots" ("portfolio_id") WHERE "stopped_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "grid_portfolio_bots"`);
    await q.query(`DROP TABLE "grid_portfolios"`);
  }
}
