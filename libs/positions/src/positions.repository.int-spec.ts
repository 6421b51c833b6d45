import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule, TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { RedisModule } from '@tb/redis';
import { PositionsModule } from './positions.module';
import { PositionsRepository, type PositionKey } from './positions.repository';
import { insertPaperAccount, insertUser, positionRow } from '../../../test/support/factories';
import { testEnv } from '../../../test/support/test-env';

/** The positions repository on the real PostgreSQL (shared test database: each test works on its own user and account). */
describe('PositionsRepository', () => {
  let moduleRef: TestingModule;
  let repo: PositionsRepository;
  let ds: DataSource;
  let txHost: TransactionHost<TransactionalAdapterTypeOrm>;

  async function owner(): Promise<{ userId: string; accountId: string }> {
    const userId = await insertUser(ds);
    return { userId, accountId: await insertPaperAccount(ds, userId) };
  }

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), DatabaseModule, RedisModule, PositionsModule] }).compile();
    repo = moduleRef.get(PositionsRepository, { strict: false });
    ds = moduleRef.get(DataSource);
    txHost = moduleRef.get(TransactionHost);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('stores numeric money exactly and reads a position only for its owner', async () => {
    const { userId, accountId } = await owner();
    const other = await insertUser(ds);
    const p = await repo.insert(positionRow(userId, accountId, { size: '0.123456789012', averageEntry: '61234.56789' }));
    const read = await repo.findForUser(userId, p.id);
    expect(read?.size).toBe('0.123456789012');
    expect(read?.averageEntry).toBe('61234.56789');
    expect(await repo.findForUser(other, p.id)).toBeNull();
  });

  it('lists by status and symbol, most recently updated first, one page at a time', async () => {
    const { userId, accountId } = await owner();
    const t = (d: number) => new Date(Date.UTC(2025, 0, d));
    const open = await repo.insert(positionRow(userId, accountId, { updatedAt: t(3) }));
    const closed = await repo.insert(positionRow(userId, accountId, { side: 'short', closedAt: t(2), size: '0', updatedAt: t(2) }));
    const eth = await repo.insert(positionRow(userId, accountId, { symbol: 'ETH/USDT:USDT', updatedAt: t(4) }));

    const ids = async (q: Parameters<PositionsRepository['listForUser']>[1]) => (await repo.listForUser(userId, q))[0].map((p) => p.id);
    expect(await ids({ status: 'all', limit: 10, offset: 0 })).toEqual([eth.id, open.id, closed.id]);
    expect(await ids({ status: 'open', limit: 10, offset: 0 })).toEqual([eth.id, open.id]);
    expect(await ids({ status: 'closed', limit: 10, offset: 0 })).toEqual([closed.id]);
    expect(await ids({ status: 'all', symbol: 'BTC/USDT:USDT', limit: 10, offset: 0 })).toEqual([open.id, closed.id]);
    const [page, total] = await repo.listForUser(userId, { status: 'all', limit: 1, offset: 1 });
    expect(total).toBe(3);
    expect(page.map((p) => p.id)).toEqual([open.id]);
  });

  it('lockOpen finds the one open row of a key inside a transaction; lockAllOfKey lists closed lifecycles first', async () => {
    const { userId, accountId } = await owner();
    const key: PositionKey = { userId, accountId, symbol: 'BTC/USDT:USDT', side: 'long', botKey: 'bot-1' };
    const old = await repo.insert(positionRow(userId, accountId, { botKey: 'bot-1', closedAt: new Date(Date.UTC(2025, 0, 2)), openedAt: new Date(Date.UTC(2025, 0, 1)), size: '0' }));
    const cur = await repo.insert(positionRow(userId, accountId, { botKey: 'bot-1', openedAt: new Date(Date.UTC(2025, 0, 3)) }));
    await repo.insert(positionRow(userId, accountId, { botKey: 'bot-2' })); // another key

    const [openRow, all] = await txHost.withTransaction(async () => {
      await repo.lockKey(key);
      return [await repo.lockOpen(key), await repo.lockAllOfKey(key)] as const;
    });
    expect(openRow?.id).toBe(cur.id);
    expect(all.map((p) => p.id)).toEqual([old.id, cur.id]);
  });
});
