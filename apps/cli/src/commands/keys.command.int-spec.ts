import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretCipher } from '@tb/exchange';
import { rotateKeys } from './keys.command';
import { testEnv } from '../../../../test/support/test-env';
import { createIsolatedDatabase } from '../../../../test/support/isolated-db';

const OLD = Buffer.alloc(32, 3).toString('base64');
const NEW = Buffer.alloc(32, 4).toString('base64');

/** Rotation touches every account of a database, so this test gets a database of its own. */
describe('tb keys rotate', () => {
  const env = testEnv();
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'rotate');
    ds = new DataSource({ type: 'postgres', url: db.url });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('re-encrypts every secret under the new key; the secrets are unchanged and the old key is no longer needed', async () => {
    const userId = randomUUID();
    await ds.query(`INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', 'trader')`, [userId, `rot-${userId}@test.example`]);
    const oldCipher = new SecretCipher({ activeKeyId: 'old', keys: { old: OLD } });
    const accountId = randomUUID();
    const ctx = (f: string) => `exchange_account:${accountId}:${f}`;
    await ds.query(
      `INSERT INTO exchange_accounts (id, user_id, exchange, label, api_key_enc, secret_enc, key_id, api_key_hint) VALUES ($1, $2, 'binance', 'rot', $3, $4, 'old', 'abcd')`,
      [accountId, userId, oldCipher.encrypt('AK-rotate-me', ctx('api_key')), oldCipher.encrypt('SK-rotate-me', ctx('secret'))],
    );
    const rotateEnv = { ...env, DATABASE_URL: db.url, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_ID: 'new', ENCRYPTION_KEYS_PREVIOUS: `old:${OLD}` };

    expect(await rotateKeys(rotateEnv)).toBe(1);

    const [row] = await ds.query('SELECT api_key_enc, secret_enc, key_id FROM exchange_accounts WHERE id = $1', [accountId]);
    expect(row.key_id).toBe('new');
    const newOnly = new SecretCipher({ activeKeyId: 'new', keys: { new: NEW } });
    expect(newOnly.decrypt(row.secret_enc, ctx('secret'))).toBe('SK-rotate-me');
    expect(newOnly.decrypt(row.api_key_enc, ctx('api_key'))).toBe('AK-rotate-me');
    expect(row.secret_enc).not.toContain('SK-rotate-me');
    expect(await rotateKeys(rotateEnv)).toBe(0); // nothing left under the old key
  });
});
