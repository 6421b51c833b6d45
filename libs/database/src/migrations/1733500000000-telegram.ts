import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Telegram (docs/adr/0017-telegram.md):
 * - `telegram_chats`: a chat linked to a user (one user may link several chats; a chat belongs to one user at a
 *   time). `active` goes false when Telegram answers 403 (the user blocked the bot).
 * - `telegram_link_codes`: one-time, short-lived link codes; only their sha-256 is stored.
 * - `notification_prefs`: per user and event type: on, silent or off (no row = on).
 * - `sent_notifications`: one row per (event, chat) Telegram accepted: a redelivered event never sends twice.
 */
export class Telegram1733500000000 implements MigrationInterface {
  name = 'Telegram1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "telegram_chats" (
        "id"          uuid PRIMARY KEY,
        "user_id"     uuid         NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        "chat_id"     bigint       NOT NULL,
        "username"    varchar(64),
        "active"      boolean      NOT NULL DEFAULT true,
        "linked_at"   timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT "uq_telegram_chats_chat" UNIQUE ("chat_id")
      )`);
    await q.query(`CREATE INDEX "ix_telegram_chats_user" ON "telegram_chats" ("user_id")`);
    await q.query(`
      CREATE TABLE "telegram_link_codes" (
        "code_hash"   char(64)     PRIMARY KEY,
        "user_id"     uuid         NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        "expires_at"  timestamptz  NOT NULL,
        "used_at"     timestamptz,
        "created_at"  timestamptz  NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "notification_prefs" (
        "user_id"     uuid         NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
        "event_type"  varchar(32)  NOT NULL,
        "mode"        varchar(8)   NOT NULL CHECK ("mode" IN ('on', 'silent', 'off')),
        PRIMARY KEY ("user_id", "event_type")
      )`);
    await q.query(`
      CREATE TABLE "sent_notifications" (
        "event_id"    uuid         NOT NULL,
        "chat_id"     bigint       NOT NULL,
        "message_id"  bigint,
        "sent_at"     timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY ("event_id", "chat_id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sent_notifications"`);
    await q.query(`DROP TABLE "notification_prefs"`);
    await q.query(`DROP TABLE "telegram_link_codes"`);
    await q.query(`DROP TABLE "telegram_chats"`);
  }
}
