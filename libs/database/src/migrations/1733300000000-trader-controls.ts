import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trader controls (docs/adr/0018-trader-commands.md):
 * - `hyperrsi_presets`: a user's named HYPERRSI settings; unique name per user; at most one default per user (a partial
 *   unique index). A bot created from a preset keeps its own copy of the settings.
 * - `bot_webhooks`: a bot's signal webhooks; only the sha-256 of the secret URL token is stored (the token is shown
 *   once); revoked ones stay for the audit (`revoked_at`).
 * - `bot_webhook_alerts`: every alert id a webhook accepted, unique per webhook: a replayed alert never becomes a
 *   second command.
 */
export class TraderControls1733300000000 implements MigrationInterface {
  name = 'TraderControls1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "hyperrsi_presets" (
        "id"          uuid PRIMARY KEY,
        "user_id"     uuid         NOT NULL REFERENCES "users"("id"),
        "name"        varchar(100) NOT NULL,
        "settings"    jsonb        NOT NULL,
        "is_default"  boolean      NOT NULL DEFAULT false,
        "created_at"  timestamptz  NOT NULL DEFAULT now(),
        "updated_at"  timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT "uq_hyperrsi_presets_name" UNIQUE ("user_id", "name")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_hyperrsi_presets_default" ON "hyperrsi_presets" ("user_id") WHERE "is_default"`);
    await q.query(`
      CREATE TABLE "bot_webhooks" (
        "id"            uuid PRIMARY KEY,
        "user_id"       uuid         NOT NULL REFERENCES "users"("id"),
        "bot_id"        uuid         NOT NULL REFERENCES "bots"("id") ON DELETE CASCADE,
        "token_hash"    char(64)     NOT NULL,
        "label"         varchar(100),
        "created_at"    timestamptz  NOT NULL DEFAULT now(),
        "revoked_at"    timestamptz,
        "last_alert_at" timestamptz,
        CONSTRAINT "uq_bot_webhooks_token" UNIQUE ("token_hash")
      )`);
    await q.query(`CREATE INDEX "ix_bot_webhooks_bot" ON "bot_webhooks" ("bot_id")`);
    await q.query(`
      CREATE TABLE "bot_webhook_alerts" (
        "webhook_id"  uuid        NOT NULL REFERENCES "bot_webhooks"("id") ON DELETE CASCADE,
        "alert_id"    varchar(80) NOT NULL,
        "command_id"  varchar(80) NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("webhook_id", "alert_id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "bot_webhook_alerts"`);
    await q.query(`DROP TABLE "bot_webhooks"`);
    await q.query(`DROP TABLE "hyperrsi_presets"`);
  }
}
