import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule } from '@tb/database';
import { AccountsModule } from './accounts.module';
import { ExchangeAccountEntity } from './exchange-account.entity';
import { ExchangeAccountsRepository } from './exchange-accounts.repository';
import { accountRow, insertUser } from '../../../test/support/factories';
import { testEnv } from '../../../test/support/test-env';

/** The exchange_accounts repository on the real PostgreSQL (the shared test database: every row is our own). */
describe('ExchangeAccountsRepository', () => {
  let moduleRef: TestingModule;
  let repo: ExchangeAccountsRepository;
  let ds: DataSource;
  const insert = async (row: ReturnType<typeof accountRow>) => {
    await repo.insert(row as unknown as ExchangeAccountEntity);
    return row.id;
  };

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), DatabaseModule, AccountsModule] }).compile();
    repo = moduleRef.get(ExchangeAccountsRepository, { strict: false });
    ds = moduleRef.get(DataSource);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('reads are scoped by the owner, and a soft-deleted account is gone for the owner but not for the OMS', async () => {
    const alice = await insertUser(ds);
    const bob = await insertUser(ds);
    const id = await insert(accountRow(alice, { label: 'main' }));
    expect((await repo.findForUser(alice, id))?.label).toBe('main');
    expect(await repo.findForUser(bob, id)).toBeNull();

    expect(await repo.softDelete(bob, id)).toBe(false); // not bob's
    expect(await repo.softDelete(alice, id)).toBe(true);
    expect(await repo.softDelete(alice, id)).toBe(false); // already deleted
    expect(await repo.findForUser(alice, id)).toBeNull();
    expect((await repo.findByIdInternal(id))?.deletedAt).toBeInstanceOf(Date);
  });

  it('pages the owner\'s live accounts oldest first with their total', async () => {
    const user = await insertUser(ds);
    const ids: string[] = [];
    for (const label of ['a', 'b', 'c']) {
      ids.push(await insert(accountRow(user, { label })));
      await ds.query(`UPDATE exchange_accounts SET created_at = now() + ($2 || ' seconds')::interval WHERE id = $1`, [ids[ids.length - 1], String(ids.length)]);
    }
    await repo.softDelete(user, ids[1]);
    const [page1, total] = await repo.pageForUser(user, 1, 0);
    const [page2] = await repo.pageForUser(user, 1, 1);
    expect(total).toBe(2);
    expect(page1.map((a) => a.label)).toEqual(['a']);
    expect(page2.map((a) => a.label)).toEqual(['c']);
  });

  it('finds the accounts encrypted under another key than the active one, and rewrites their secrets', async () => {
    const user = await insertUser(ds);
    const stale = await insert(accountRow(user, { keyId: 'old-key-for-rotation-test' }));
    const current = await insert(accountRow(user, { keyId: 'active-key-for-rotation-test' }));
    const found = (await repo.findEncryptedWithOtherKey('active-key-for-rotation-test', 100_000)).map((a) => a.id);
    expect(found).toContain(stale);
    expect(found).not.toContain(current);

    await repo.updateSecrets(stale, { apiKeyEnc: 'new-api', secretEnc: 'new-secret', passphraseEnc: null, keyId: 'active-key-for-rotation-test' });
    const after = await repo.findForUser(user, stale);
    expect(after).toMatchObject({ apiKeyEnc: 'new-api', secretEnc: 'new-secret', keyId: 'active-key-for-rotation-test' });
    expect((await repo.findEncryptedWithOtherKey('active-key-for-rotation-test', 100_000)).map((a) => a.id)).not.toContain(stale);
  });
});
