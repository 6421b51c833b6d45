import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trading core (docs/architecture.md §4–§6): exchange accounts (secrets encrypted), orders with their status machine,
 * fills (unique per exchange fill id), positions derived from fills, and the event outbox that feeds Redis
 * Streams. Money is numeric everywhere.
 */
export class TradingCore1732500000000 implements MigrationInterface {
  name = 'TradingCore1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "exchange_accounts" (
        "id"             uuid PRIMARY KEY,
        "user_id"        uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        "exchange"       varchar(32) NOT NULL,
        "label"          varchar(64) NOT NULL,
        "market_type"    varchar(8)  NOT NULL DEFAULT 'spot' CHECK ("market_type" IN ('spot', 'perp')),
        "api_key_enc"    text,
        "secret_enc"     text,
        "passphrase_enc" text,
        "key_id"         varchar(32),
        "api_key_hint"   varchar(8),
        "paper_balances" jsonb,
        "created_at"     timestamptz NOT NULL DEFAULT now(),
        "updated_at"     timestamptz NOT NULL DEFAULT now(),
        "deleted_at"     timestamptz,
        CONSTRAINT "chk_exchange_accounts_secrets"
          CHECK ("exchange" = 'paper' OR ("api_key_enc" IS NOT NULL AND "secret_enc" IS NOT NULL AND "key_id" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "idx_exchange_accounts_user" ON "exchange_accounts" ("user_id") WHERE "deleted_at" IS NULL`);
    await q.query(`CREATE UNIQUE INDEX "uq_exchange_accounts_label" ON "exchange_accounts" ("user_id", "label") WHERE "deleted_at" IS NULL`);

    await q.query(`
      CREATE TABLE "orders" (
        "id"                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "user_id"           uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        "account_id"        uuid NOT NULL REFERENCES "exchange_accounts"("id"),
        "bot_id"            varchar(64),
        "intent_key"        text NOT NULL,
        "client_order_id"   varchar(64) NOT NULL,
        "exchange"          varchar(32) NOT NULL,
        "exchange_order_id" varchar(128),
        "symbol"            varchar(64) NOT NULL,
        "type"              varchar(16) NOT NULL CHECK ("type" IN ('market', 'limit', 'stop_market')),
        "side"              varchar(4)  NOT NULL CHECK ("side" IN ('buy', 'sell')),
        "position_side"     varchar(5)  NOT NULL CHECK ("position_side" IN ('long', 'short')),
        "amount"            numeric NOT NULL CHECK ("amount" > 0),
        "price"             numeric,
        "trigger_price"     numeric,
        "reduce_only"       boolean NOT NULL DEFAULT false,
        "tag"               varchar(32) NOT NULL DEFAULT 'manual',
        "status"            varchar(20) NOT NULL CHECK ("status" IN ('PENDING','OPEN','PARTIALLY_FILLED','FILLED','CANCELED','REJECTED','EXPIRED')),
        "filled"            numeric NOT NULL DEFAULT 0,
        "average_price"     numeric,
        "fee"               numeric NOT NULL DEFAULT 0,
        "reject_reason"     text,
        "send_attempts"     int NOT NULL DEFAULT 0,
        "created_at"        timestamptz NOT NULL DEFAULT now(),
        "updated_at"        timestamptz NOT NULL DEFAULT now(),
        "closed_at"         timestamptz,
        CONSTRAINT "uq_orders_client_order_id" UNIQUE ("client_order_id"),
        CONSTRAINT "chk_orders_filled" CHECK ("filled" >= 0 AND "filled" <= "amount")
      )`);
    await q.query(`CREATE INDEX "idx_orders_user_created" ON "orders" ("user_id", "created_at" DESC)`);
    await q.query(`CREATE INDEX "idx_orders_unresolved" ON "orders" ("status", "updated_at") WHERE "status" IN ('PENDING','OPEN','PARTIALLY_FILLED')`);
    await q.query(`CREATE INDEX "idx_orders_account_symbol" ON "orders" ("account_id", "symbol")`);

    await q.query(`
      CREATE TABLE "fills" (
        "id"                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "order_id"          uuid NOT NULL REFERENCES "orders"("id"),
        "user_id"           uuid NOT NULL,
        "account_id"        uuid NOT NULL,
        "bot_id"            varchar(64),
        "exchange"          varchar(32) NOT NULL,
        "exchange_trade_id" varchar(128) NOT NULL,
        "symbol"            varchar(64) NOT NULL,
        "side"              varchar(4) NOT NULL,
        "position_side"     varchar(5) NOT NULL,
        "price"             numeric NOT NULL CHECK ("price" > 0),
        "amount"            numeric NOT NULL CHECK ("amount" > 0),
        "fee"               numeric NOT NULL DEFAULT 0,
        "fee_currency"      varchar(16),
        "fee_quote"         numeric NOT NULL DEFAULT 0,
        "executed_at"       timestamptz NOT NULL,
        "created_at"        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_fills_exchange_trade" UNIQUE ("account_id", "exchange_trade_id")
      )`);
    await q.query(`CREATE INDEX "idx_fills_order" ON "fills" ("order_id")`);

    await q.query(`
      CREATE TABLE "positions" (
        "id"              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "user_id"         uuid NOT NULL,
        "account_id"      uuid NOT NULL REFERENCES "exchange_accounts"("id"),
        "symbol"          varchar(64) NOT NULL,
        "side"            varchar(5) NOT NULL CHECK ("side" IN ('long', 'short')),
        "bot_key"         varchar(64) NOT NULL DEFAULT 'manual',
        "size"            numeric NOT NULL DEFAULT 0 CHECK ("size" >= 0),
        "average_entry"   numeric,
        "realized_pnl"    numeric NOT NULL DEFAULT 0,
        "fees"            numeric NOT NULL DEFAULT 0,
        "funding"         numeric NOT NULL DEFAULT 0,
        "leverage"        numeric NOT NULL DEFAULT 1,
        "opened_at"       timestamptz,
        "closed_at"       timestamptz,
        "updated_at"      timestamptz NOT NULL DEFAULT now(),
        "fill_count"      int NOT NULL DEFAULT 0
      )`);
    // one OPEN position per account+symbol+side+bot; closed ones are kept as history
    await q.query(`CREATE UNIQUE INDEX "uq_positions_open" ON "positions" ("account_id", "symbol", "side", "bot_key") WHERE "closed_at" IS NULL`);
    await q.query(`CREATE INDEX "idx_positions_user" ON "positions" ("user_id", "updated_at" DESC)`);

    await q.query(`
      CREATE TABLE "event_outbox" (
        "id"           bigserial PRIMARY KEY,
        "event_id"     uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        "type"         varchar(64) NOT NULL,
        "user_id"      uuid,
        "payload"      jsonb NOT NULL,
        "created_at"   timestamptz NOT NULL DEFAULT now(),
        "published_at" timestamptz
      )`);
    await q.query(`CREATE INDEX "idx_event_outbox_unpublished" ON "event_outbox" ("id") WHERE "published_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_outbox"`);
    await q.query(`DROP TABLE "positions"`);
    await q.query(`DROP TABLE "fills"`);
    await q.query(`DROP TABLE "orders"`);
    await q.query(`DROP TABLE "exchange_accounts"`);
  }
}
