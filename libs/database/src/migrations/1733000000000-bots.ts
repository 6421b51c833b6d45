import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bot runtime (docs/adr/0010-bot-runtime.md):
 * - `bots`: one row per bot — settings, feed, status, the strategy's state (JSON) with a version for optimistic
 *   concurrency, and how far it has read its inputs. At most one ACTIVE bot per (exchange account, symbol).
 * - `bot_inputs`: the inbox — candles, settings changes and commands, unique per (bot, key), in arrival order.
 * - `bot_decisions`: the decision journal — every input the strategy saw (candles, fills, closed orders, settings)
 *   and what it answered (intents, hash of the new state), append-only, unique per (bot, input key).
 * - `bot_equity`: the bot's equity at each evaluated candle (charts, drawdown protection).
 * - orders/fills: a common sequence orders what a bot asks of its exchange (places and cancels, in intent order),
 *   and fills get an insertion sequence (several fills of one candle share one execution time).
 * - paper_feed_progress.replay: a replayed symbol's matching-engine snapshot (exact restart mid-candle).
 */
export class Bots1733000000000 implements MigrationInterface {
  name = 'Bots1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "bots" (
        "id"               uuid PRIMARY KEY,
        "user_id"          uuid        NOT NULL REFERENCES "users"("id"),
        "account_id"       uuid        NOT NULL REFERENCES "exchange_accounts"("id"),
        "strategy"         varchar(16) NOT NULL CHECK ("strategy" IN ('hyperrsi', 'grid')),
        "symbol"           varchar(64) NOT NULL,
        "timeframe"        varchar(8)  NOT NULL,
        "settings"         jsonb       NOT NULL,
        "feed"             jsonb       NOT NULL,
        "market"           jsonb       NOT NULL,
        "status"           varchar(16) NOT NULL CHECK ("status" IN ('stopped', 'starting', 'running', 'paused', 'stopping', 'error')),
        "status_reason"    text,
        "state"            jsonb,
        "version"          integer     NOT NULL DEFAULT 0,
        "input_seq"        bigint      NOT NULL DEFAULT 0,
        "decisions"        bigint      NOT NULL DEFAULT 0,
        "last_candle_time" bigint,
        "protections"      jsonb       NOT NULL DEFAULT '{}',
        "guard"            jsonb       NOT NULL DEFAULT '{}',
        "created_at"       timestamptz NOT NULL DEFAULT now(),
        "updated_at"       timestamptz NOT NULL DEFAULT now(),
        "started_at"       timestamptz,
        "stopped_at"       timestamptz
      )`);
    await q.query(`CREATE INDEX "ix_bots_user" ON "bots" ("user_id", "created_at")`);
    await q.query(`CREATE INDEX "ix_bots_status" ON "bots" ("status")`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_bots_active_account_symbol" ON "bots" ("account_id", "symbol") WHERE "status" IN ('starting', 'running', 'paused', 'stopping')`,
    );
    await q.query(`
      CREATE TABLE "bot_inputs" (
        "seq"        bigserial PRIMARY KEY,
        "bot_id"     uuid        NOT NULL REFERENCES "bots"("id") ON DELETE CASCADE,
        "key"        text        NOT NULL,
        "kind"       varchar(16) NOT NULL,
        "payload"    jsonb       NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_bot_inputs_key" UNIQUE ("bot_id", "key")
      )`);
    await q.query(`
      CREATE TABLE "bot_decisions" (
        "bot_id"     uuid        NOT NULL REFERENCES "bots"("id") ON DELETE CASCADE,
        "seq"        bigint      NOT NULL,
        "input_key"  text        NOT NULL,
        "kind"       varchar(16) NOT NULL,
        "input"      jsonb       NOT NULL,
        "intents"    jsonb       NOT NULL,
        "expired"    jsonb       NOT NULL DEFAULT '[]',
        "state_hash" char(64)    NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_bot_decisions" PRIMARY KEY ("bot_id", "seq"),
        CONSTRAINT "uq_bot_decisions_input" UNIQUE ("bot_id", "input_key")
      )`);
    await q.query(`
      CREATE TABLE "bot_equity" (
        "bot_id"  uuid    NOT NULL REFERENCES "bots"("id") ON DELETE CASCADE,
        "time"    bigint  NOT NULL,
        "equity"  numeric NOT NULL,
        "realized" numeric NOT NULL,
        "fees"    numeric NOT NULL,
        CONSTRAINT "pk_bot_equity" PRIMARY KEY ("bot_id", "time")
      )`);
    await q.query(`CREATE SEQUENCE "order_action_seq"`);
    await q.query(`ALTER TABLE "orders" ADD COLUMN "action_seq" bigint NOT NULL DEFAULT nextval('order_action_seq')`);
    await q.query(`ALTER TABLE "orders" ADD COLUMN "cancel_seq" bigint`);
    await q.query(`ALTER TABLE "orders" ADD COLUMN "cancel_reason" text`);
    await q.query(`ALTER TABLE "orders" ADD COLUMN "bot_closed_applied" boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX "ix_orders_bot_actions" ON "orders" ("bot_id", "action_seq") WHERE "bot_id" IS NOT NULL`);
    await q.query(
      `CREATE INDEX "ix_orders_bot_unapplied" ON "orders" ("bot_id") WHERE "bot_id" IS NOT NULL AND NOT "bot_closed_applied" AND "status" IN ('CANCELED', 'REJECTED', 'EXPIRED')`,
    );
    await q.query(`ALTER TABLE "fills" ADD COLUMN "seq" bigserial`);
    await q.query(`ALTER TABLE "fills" ADD COLUMN "bot_applied" boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX "ix_fills_bot_unapplied" ON "fills" ("bot_id", "seq") WHERE "bot_id" IS NOT NULL AND NOT "bot_applied"`);
    await q.query(`ALTER TABLE "paper_feed_progress" ADD COLUMN "replay" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "paper_feed_progress" DROP COLUMN "replay"`);
    await q.query(`DROP INDEX "ix_fills_bot_unapplied"`);
    await q.query(`ALTER TABLE "fills" DROP COLUMN "bot_applied"`);
    await q.query(`ALTER TABLE "fills" DROP COLUMN "seq"`);
    await q.query(`DROP INDEX "ix_orders_bot_unapplied"`);
    await q.query(`DROP INDEX "ix_orders_bot_actions"`);
    await q.query(`ALTER TABLE "orders" DROP COLUMN "bot_closed_applied"`);
    await q.query(`ALTER TABLE "orders" DROP COLUMN "cancel_reason"`);
    await q.query(`ALTER TABLE "orders" DROP COLUMN "cancel_seq"`);
    await q.query(`ALTER TABLE "orders" DROP COLUMN "action_seq"`);
    await q.query(`DROP SEQUENCE "order_action_seq"`);
    await q.query(`DROP TABLE "bot_equity"`);
    await q.query(`DROP TABLE "bot_decisions"`);
    await q.query(`DROP TABLE "bot_inputs"`);
    await q.query(`DROP TABLE "bots"`);
  }
}
