import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The paper exchange's own books (libs/exchange/src/paper): one paper account = balances, perp positions,
 * orders (unique per account + clientOrderId, like an exchange), trades (one row per execution), and how far
 * the account has followed each symbol's price feed (so a restart neither skips nor re-plays bars).
 * `account_id` is the exchange account id (uuid text) but is not a foreign key: paper books also exist for
 * backtests / tests without an exchange_accounts row.
 * Money and amounts are `numeric`, written as exact decimal text rounded to 1e-8 by the application.
 */
export class PaperExchange1732700000000 implements MigrationInterface {
  name = 'PaperExchange1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "paper_accounts" (
        "account_id" varchar(64) PRIMARY KEY,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "paper_balances" (
        "account_id" varchar(64) NOT NULL REFERENCES "paper_accounts"("account_id") ON DELETE CASCADE,
        "currency"   varchar(16) NOT NULL,
        "total"      numeric     NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_paper_balances" PRIMARY KEY ("account_id", "currency")
      )`);
    await q.query(`
      CREATE TABLE "paper_positions" (
        "account_id"    varchar(64) NOT NULL REFERENCES "paper_accounts"("account_id") ON DELETE CASCADE,
        "symbol"        varchar(64) NOT NULL,
        "position_side" varchar(5)  NOT NULL CHECK ("position_side" IN ('long', 'short')),
        "qty"           numeric     NOT NULL CHECK ("qty" > 0),
        "entry_price"   numeric     NOT NULL CHECK ("entry_price" > 0),
        "margin"        numeric     NOT NULL,
        "updated_at"    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_paper_positions" PRIMARY KEY ("account_id", "symbol", "position_side")
      )`);
    await q.query(`
      CREATE TABLE "paper_orders" (
        "id"              bigserial PRIMARY KEY,
        "account_id"      varchar(64) NOT NULL REFERENCES "paper_accounts"("account_id") ON DELETE CASCADE,
        "client_order_id" varchar(64) NOT NULL,
        "symbol"          varchar(64) NOT NULL,
        "type"            varchar(16) NOT NULL CHECK ("type" IN ('market', 'limit', 'stop_market')),
        "side"            varchar(4)  NOT NULL CHECK ("side" IN ('buy', 'sell')),
        "position_side"   varchar(5)  NOT NULL CHECK ("position_side" IN ('long', 'short')),
        "amount"          numeric     NOT NULL CHECK ("amount" > 0),
        "price"           numeric,
        "trigger_price"   numeric,
        "reduce_only"     boolean     NOT NULL DEFAULT false,
        "status"          varchar(10) NOT NULL CHECK ("status" IN ('open', 'closed', 'canceled', 'rejected', 'expired')),
        "filled"          numeric     NOT NULL DEFAULT 0 CHECK ("filled" >= 0),
        "cost"            numeric     NOT NULL DEFAULT 0,
        "fee"             numeric     NOT NULL DEFAULT 0,
        "fee_currency"    varchar(16),
        "reason"          text,
        "created_at"      timestamptz NOT NULL,
        "updated_at"      timestamptz NOT NULL,
        CONSTRAINT "uq_paper_orders_client_order_id" UNIQUE ("account_id", "client_order_id"),
        CONSTRAINT "chk_paper_orders_prices" CHECK (("type" <> 'limit' OR "price" > 0) AND ("type" <> 'stop_market' OR "trigger_price" > 0))
      )`);
    await q.query(`CREATE INDEX "idx_paper_orders_open" ON "paper_orders" ("account_id", "symbol") WHERE "status" = 'open'`);
    await q.query(`
      CREATE TABLE "paper_trades" (
        "id"              bigserial PRIMARY KEY,
        "account_id"      varchar(64) NOT NULL REFERENCES "paper_accounts"("account_id") ON DELETE CASCADE,
        "order_id"        bigint      REFERENCES "paper_orders"("id"),
        "client_order_id" varchar(64),
        "symbol"          varchar(64) NOT NULL,
        "side"            varchar(4)  NOT NULL CHECK ("side" IN ('buy', 'sell')),
        "position_side"   varchar(5)  NOT NULL CHECK ("position_side" IN ('long', 'short')),
        "price"           numeric     NOT NULL CHECK ("price" > 0),
        "amount"          numeric     NOT NULL CHECK ("amount" > 0),
        "cost"            numeric     NOT NULL,
        "fee"             numeric     NOT NULL,
        "fee_currency"    varchar(16) NOT NULL,
        "realized_pnl"    numeric     NOT NULL DEFAULT 0,
        "liquidity"       varchar(11) NOT NULL CHECK ("liquidity" IN ('maker', 'taker', 'liquidation')),
        "time"            timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "idx_paper_trades_symbol_time" ON "paper_trades" ("account_id", "symbol", "time", "id")`);
    await q.query(`
      CREATE TABLE "paper_feed_progress" (
        "account_id" varchar(64) NOT NULL REFERENCES "paper_accounts"("account_id") ON DELETE CASCADE,
        "symbol"     varchar(64) NOT NULL,
        "last_time"  bigint      NOT NULL,
        "last_price" numeric     CHECK ("last_price" > 0),
        CONSTRAINT "pk_paper_feed_progress" PRIMARY KEY ("account_id", "symbol")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "paper_feed_progress"`);
    await q.query(`DROP TABLE "paper_trades"`);
    await q.query(`DROP TABLE "paper_orders"`);
    await q.query(`DROP TABLE "paper_positions"`);
    await q.query(`DROP TABLE "paper_balances"`);
    await q.query(`DROP TABLE "paper_accounts"`);
  }
}
