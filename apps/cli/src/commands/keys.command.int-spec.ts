import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretCipher } from '@tb/exchange';
import { rotateKeys } from './keys.command';
import { testEnv } from '../../../../test/support/test-env';

const OLD = Buffer.alloc(32, 3).toString('base64');
const NEW = Buffer.alloc(32, 4).toString('base64');

describe('tb keys rotate', () => {
  it('re-encrypts every secret under the new key; the secrets are unchanged and the old key is no longer needed', async () => {
    const env = testEnv();
    const ds = new DataSource({ type: 'postgres', url: env.DATABASE_URL });
    await ds.initialize();
    const userId = randomUUID();
    await ds.query(`INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', 'trader')`, [userId, `rot-${userId}@test.example`]);
    const oldCipher = new SecretCipher({ activeKeyId: 'old', keys: { old: OLD } });
    const accountId = randomUUID();
    const ctx = (f: string) => `exchange_account:${accountId}:${f}`;
    await ds.query(
      `INSERT INTO exchange_accounts (id, user_id, exchange, label, api_key_enc, secret_enc, key_id, api_key_hint) VALUES ($1, $2, 'binance', 'rot', $3, $4, 'old', 'abcd')`,
      [accountId, userId, oldCipher.encrypt('AK-rotate-me', ctx('api_key')), oldCipher.encrypt('SK-rotate-me', ctx('secret'))],
    );

    const rotated = await rotateKeys({ ...env, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_ID: 'new', ENCRYPTION_KEYS_PREVIOUS: `old:${OLD}` });
    expect(rotated).toBeGreaterThanOrEqual(1);

    const [row] = await ds.query('SELECT api_key_enc, secret_enc, key_id FROM exchange_accounts WHERE id = $1', [accountId]);
    expect(row.key_id).toBe('new');
    const newOnly = new SecretCipher({ activeKeyId: 'new', keys: { new: NEW } });
    expect(newOnly.decrypt(row.secret_enc, ctx('secret'))).toBe('SK-rotate-me');
    expect(newOnly.decrypt(row.api_key_enc, ctx('api_key'))).toBe('AK-rotate-me');
    expect(row.secret_enc).not.toContain('SK-rotate-me');

    // a second run has nothing left to do
    expect(await rotateKeys({ ...env, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_ID: 'new', ENCRYPTION_KEYS_PREVIOUS: `old:${OLD}` })).toBe(0);
    await ds.query('DELETE FROM exchange_accounts WHERE id = $1', [accountId]);
    await ds.destroy();
  });
});
