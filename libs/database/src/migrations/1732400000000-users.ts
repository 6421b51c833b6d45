import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users and authentication (entities in @tb/users: UserEntity, RefreshTokenEntity, ApiKeyEntity).
 * - users: email unique case-insensitively (UNIQUE index on lower(email); the app also stores it lowercase, which
 *   a CHECK enforces; citext would need CREATE EXTENSION rights we do not want to require). role is admin|trader.
 * - refresh_tokens: only the sha256 of the opaque token; a family per login for rotation and reuse detection.
 * - api_keys: only the sha256 of the key plus its 8 visible characters; scopes are a non-empty subset of
 *   read|trade|admin.
 * gen_random_uuid() is built into PostgreSQL 13+.
 */
export class Users1732400000000 implements MigrationInterface {
  name = 'Users1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id"            uuid         NOT NULL DEFAULT gen_random_uuid(),
        "email"         varchar(254) NOT NULL,
        "password_hash" varchar(255) NOT NULL,
        "role"          varchar(16)  NOT NULL,
        "created_at"    timestamptz  NOT NULL DEFAULT now(),
        "disabled_at"   timestamptz,
        CONSTRAINT "pk_users" PRIMARY KEY ("id"),
        CONSTRAINT "chk_users_role" CHECK ("role" IN ('admin', 'trader')),
        CONSTRAINT "chk_users_email_lowercase" CHECK ("email" = lower("email"))
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_users_email" ON "users" (lower("email"))`);

    await q.query(`
      CREATE TABLE "refresh_tokens" (
        "id"          uuid        NOT NULL DEFAULT gen_random_uuid(),
        "user_id"     uuid        NOT NULL,
        "family_id"   uuid        NOT NULL,
        "token_hash"  char(64)    NOT NULL,
        "created_at"  timestamptz NOT NULL DEFAULT now(),
        "expires_at"  timestamptz NOT NULL,
        "revoked_at"  timestamptz,
        "replaced_by" uuid,
        CONSTRAINT "pk_refresh_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "fk_refresh_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
        CONSTRAINT "fk_refresh_tokens_replaced_by" FOREIGN KEY ("replaced_by") REFERENCES "refresh_tokens" ("id") ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "ix_refresh_tokens_family" ON "refresh_tokens" ("family_id")`);
    await q.query(`CREATE INDEX "ix_refresh_tokens_user" ON "refresh_tokens" ("user_id")`);

    await q.query(`
      CREATE TABLE "api_keys" (
        "id"           uuid         NOT NULL DEFAULT gen_random_uuid(),
        "user_id"      uuid         NOT NULL,
        "name"         varchar(100) NOT NULL,
        "prefix"       char(8)      NOT NULL,
        "key_hash"     char(64)     NOT NULL,
        "scopes"       text[]       NOT NULL,
        "created_at"   timestamptz  NOT NULL DEFAULT now(),
        "last_used_at" timestamptz,
        "revoked_at"   timestamptz,
        CONSTRAINT "pk_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "fk_api_keys_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
        CONSTRAINT "chk_api_keys_scopes" CHECK (cardinality("scopes") > 0 AND "scopes" <@ ARRAY['read', 'trade', 'admin']::text[])
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_api_keys_hash" ON "api_keys" ("key_hash")`);
    await q.query(`CREATE INDEX "ix_api_keys_user" ON "api_keys" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "refresh_tokens"`);
    await q.query(`DROP TABLE "users"`);
  }
}
