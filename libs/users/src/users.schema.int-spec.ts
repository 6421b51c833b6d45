import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '@tb/database';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { RefreshTokenEntity } from './auth/refresh-token.entity';
import { UserEntity } from './users/user.entity';
import { createIsolatedDatabase } from '../../../test/support/isolated-db';

// A throwaway database of our own with only the users migration applied.
const ADMIN_URL = inject('adminDatabaseUrl');
const MIGRATION = MIGRATIONS.find((m) => m.name === 'Users1732400000000')!;
let ds: DataSource;
let db: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  db = await createIsolatedDatabase(ADMIN_URL, 'users', []);
  ds = new DataSource({
    type: 'postgres',
    url: db.url,
    migrations: [MIGRATION],
    entities: [UserEntity, RefreshTokenEntity, ApiKeyEntity],
  });
  await ds.initialize();
  await ds.runMigrations();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const HASH = 'a'.repeat(64);

describe('users / refresh_tokens / api_keys schema', () => {
  it('entities and migration describe the same tables (TypeORM sees nothing to change)', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('emails are unique case-insensitively and stored lowercase; roles are admin|trader', async () => {
    await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('a@x.io', 'h', 'trader')`);
    await expect(ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('A@x.io', 'h', 'trader')`)).rejects.toThrow(
      /chk_users_email_lowercase/,
    );
    await expect(ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('a@x.io', 'h', 'admin')`)).rejects.toThrow(/ux_users_email/);
    await expect(ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('b@x.io', 'h', 'root')`)).rejects.toThrow(/chk_users_role/);
    const [u] = await ds.query(`SELECT id FROM users WHERE email = 'a@x.io'`);
    expect(u.id).toMatch(/^[0-9a-f-]{36}$/); // gen_random_uuid() default
  });

  it('api key scopes must be a non-empty subset of read|trade|admin; hashes are unique', async () => {
    const [{ id }] = await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('k@x.io', 'h', 'trader') RETURNING id`);
    const insert = (scopes: string, hash: string) =>
      ds.query(`INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, 'k', 'abcdefgh', $2, ${scopes})`, [id, hash]);
    await insert(`ARRAY['read','trade']`, HASH);
    await expect(insert(`ARRAY['read','root']`, 'b'.repeat(64))).rejects.toThrow(/chk_api_keys_scopes/);
    await expect(insert(`ARRAY[]::text[]`, 'c'.repeat(64))).rejects.toThrow(/chk_api_keys_scopes/);
    await expect(insert(`ARRAY['read']`, HASH)).rejects.toThrow(/ux_api_keys_hash/);
  });

  it('deleting a user deletes its tokens and keys', async () => {
    const [{ id }] = await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ('d@x.io', 'h', 'trader') RETURNING id`);
    await ds.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), $2, now() + interval '1 day')`,
      [id, 'd'.repeat(64)],
    );
    await ds.query(`INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, 'k', 'abcdefgh', $2, ARRAY['read'])`, [id, 'e'.repeat(64)]);
    await ds.query(`DELETE FROM users WHERE id = $1`, [id]);
    const [{ n }] = await ds.query(
      `SELECT (SELECT count(*) FROM refresh_tokens WHERE user_id = $1) + (SELECT count(*) FROM api_keys WHERE user_id = $1) AS n`,
      [id],
    );
    expect(Number(n)).toBe(0);
  });

  it('down() removes the three tables and up() recreates them', async () => {
    await ds.undoLastMigration();
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('users', 'refresh_tokens', 'api_keys')`,
    );
    expect(n).toBe(0);
    await ds.runMigrations();
    const [{ m }] = await ds.query(
      `SELECT count(*)::int AS m FROM information_schema.tables WHERE table_name IN ('users', 'refresh_tokens', 'api_keys')`,
    );
    expect(m).toBe(3);
  });
});
