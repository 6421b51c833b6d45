import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule } from '@tb/database';
import { RedisModule } from '@tb/redis';
import { OrdersModule } from './orders.module';
import { OrdersRepository, type NewFill, type NewOrder } from './orders.repository';
import { OrderEntity } from './order.entity';
import { OrderResponseDto } from './dto/orders.dto';
import { insertPaperAccount, insertUser, newFill, newOrder } from '../../../test/support/factories';
import { testEnv } from '../../../test/support/test-env';

/** The orders/fills repository on the real PostgreSQL (shared test database: each test has its own user and account). */
describe('OrdersRepository', () => {
  let moduleRef: TestingModule;
  let repo: OrdersRepository;
  let ds: DataSource;

  async function owner(): Promise<{ userId: string; accountId: string }> {
    const userId = await insertUser(ds);
    return { userId, accountId: await insertPaperAccount(ds, userId) };
  }

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), DatabaseModule, RedisModule, OrdersModule] }).compile();
    repo = moduleRef.get(OrdersRepository);
    ds = moduleRef.get(DataSource);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('insertPending is idempotent on client_order_id: the second insert returns the first row', async () => {
    const { userId, accountId } = await owner();
    const o = newOrder(userId, accountId, { amount: '0.123456789' }) as NewOrder;
    const first = await repo.insertPending(o);
    const again = await repo.insertPending({ ...o, amount: '9' });
    expect(first.created).toBe(true);
    expect(first.order).toMatchObject({ status: 'PENDING', filled: '0', amount: '0.123456789', sendAttempts: 0 });
    expect(again.created).toBe(false);
    expect(again.order.id).toBe(first.order.id);
    expect(again.order.amount).toBe('0.123456789');
  });

  it('reads are scoped by user; the list filters and pages newest first', async () => {
    const { userId, accountId } = await owner();
    const other = await insertUser(ds);
    const a = (await repo.insertPending(newOrder(userId, accountId) as NewOrder)).order;
    const b = (await repo.insertPending(newOrder(userId, accountId, { symbol: 'ETH/USDT:USDT' }) as NewOrder)).order;
    await ds.query(`UPDATE orders SET created_at = created_at + interval '1 second' WHERE id = $1`, [b.id]);
    await repo.update(a.id, { status: 'OPEN' });
    expect(await repo.findForUser(other, a.id)).toBeNull();
    expect((await repo.findForUser(userId, a.id))?.status).toBe('OPEN');
    const [all, total] = await repo.listForUser(userId, { limit: 10, offset: 0 });
    expect(total).toBe(2);
    expect(all.map((o) => o.id)).toEqual([b.id, a.id]);
    expect((await repo.listForUser(userId, { status: 'OPEN', limit: 10, offset: 0 }))[0].map((o) => o.id)).toEqual([a.id]);
    expect((await repo.listForUser(userId, { symbol: 'ETH/USDT:USDT', limit: 10, offset: 0 }))[0].map((o) => o.id)).toEqual([b.id]);
    expect((await repo.listForUser(userId, { limit: 1, offset: 1 }))[0].map((o) => o.id)).toEqual([a.id]);
  });

  it('a list page is what TypeORM findAndCount gives (entities, every column, total), in one query; past the end: no rows and the total', async () => {
    const { userId, accountId } = await owner();
    const other = await owner();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const o = (await repo.insertPending(newOrder(userId, accountId, { symbol: i % 2 ? 'ETH/USDT:USDT' : 'BTC/USDT:USDT', price: i === 3 ? null : '100.5' }) as NewOrder)).order;
      await ds.query(`UPDATE orders SET created_at = created_at + ($2 || ' seconds')::interval WHERE id = $1`, [o.id, String(i)]);
      ids.push(o.id);
    }
    await repo.insertPending(newOrder(other.userId, other.accountId) as NewOrder); // never in this user's pages
    const viaTypeorm = (where: Record<string, unknown>, take: number, skip: number) =>
      ds.getRepository(OrderEntity).findAndCount({ where: { userId, ...where }, order: { createdAt: 'DESC', id: 'DESC' }, take, skip });
    const queries: string[] = [];
    const logger = ds.logger;
    const spy = { ...logger, logQuery: (q: string) => void queries.push(q) } as typeof logger;
    (ds as unknown as { logger: typeof logger }).logger = spy;
    try {
      const [page, total] = await repo.listForUser(userId, { limit: 2, offset: 1 });
      expect(queries.filter((q) => /orders/.test(q))).toHaveLength(1);
      expect(total).toBe(5);
      expect(page.map((o) => o.id)).toEqual([ids[3], ids[2]]); // newest first: 4, 3, 2, ...
      const [expected, expectedTotal] = await viaTypeorm({}, 2, 1);
      expect(page).toEqual(expected); // same class, same property values (Dates, numeric strings, nulls)
      expect(page[0]).toBeInstanceOf(OrderEntity);
      expect(total).toBe(expectedTotal);
    } finally {
      (ds as unknown as { logger: typeof logger }).logger = logger;
    }
    const [eth, ethTotal] = await repo.listForUser(userId, { symbol: 'ETH/USDT:USDT', limit: 10, offset: 0 });
    expect([eth, ethTotal]).toEqual(await viaTypeorm({ symbol: 'ETH/USDT:USDT' }, 10, 0));
    expect(ethTotal).toBe(2);
    expect(await repo.listForUser(userId, { limit: 10, offset: 7 })).toEqual([[], 5]);
    expect(await repo.listForUser(userId, { status: 'FILLED', limit: 10, offset: 0 })).toEqual([[], 0]);
  });

  it('the API view of a page is, byte for byte, OrderResponseDto.from of the entities of the same page', async () => {
    const { userId, accountId } = await owner();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const o = (await repo.insertPending(newOrder(userId, accountId, { symbol: i % 2 ? 'ETH/USDT:USDT' : 'BTC/USDT:USDT', price: i === 1 ? null : '100.5' }) as NewOrder)).order;
      ids.push(o.id);
    }
    // microseconds (Date keeps milliseconds), a pre-1970 instant, nulls and non-nulls in every nullable column
    await ds.query(`UPDATE orders SET created_at = '2026-01-02 03:04:05.678901+00', updated_at = '2026-01-02 05:04:05.000999+02' WHERE id = $1`, [ids[0]]);
    await ds.query(`UPDATE orders SET created_at = '1969-12-31 23:59:59.9995+00', bot_id = 'bot-1', exchange_order_id = 'x-1' WHERE id = $1`, [ids[1]]);
    await ds.query(
      `UPDATE orders SET created_at = '2026-03-01 00:00:00+00', status = 'REJECTED', reject_reason = 'no', average_price = '1.5', filled = '0.001', fee = '0.0001', trigger_price = '99' WHERE id = $1`,
      [ids[2]],
    );
    await ds.query(`UPDATE orders SET created_at = '2026-03-01 00:00:00+00', reduce_only = true WHERE id = $1`, [ids[3]]);
    for (const q of [{}, { symbol: 'ETH/USDT:USDT' }, { status: 'REJECTED' as const }, { botId: 'bot-1' }, { accountId }]) {
      for (const [limit, offset] of [
        [10, 0],
        [2, 1],
        [10, 9],
      ]) {
        const [entities, total] = await repo.listForUser(userId, { ...q, limit, offset });
        const [view, viewTotal] = await repo.listViewForUser(userId, { ...q, limit, offset });
        expect(viewTotal).toBe(total);
        expect(JSON.stringify(view)).toBe(JSON.stringify(entities.map((o) => OrderResponseDto.from(o))));
      }
    }
    const [all] = await repo.listViewForUser(userId, { limit: 10, offset: 0 });
    expect(all.map((o) => o.id)).toEqual([...[ids[2], ids[3]].sort().reverse(), ids[0], ids[1]]); // created_at DESC, id DESC
    const first = all.find((o) => o.id === ids[0])!;
    expect([first.createdAt, first.updatedAt]).toEqual(['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.000Z']);
    expect(all.find((o) => o.id === ids[1])!.createdAt).toBe('1969-12-31T23:59:59.999Z');
    expect(await repo.listViewForUser(userId, { limit: 10, offset: 7 })).toEqual([[], 4]);
  });

  it('the reconciler sees OPEN orders at once and PENDING ones only after the grace period', async () => {
    const { userId, accountId } = await owner();
    const pending = (await repo.insertPending(newOrder(userId, accountId) as NewOrder)).order;
    const open = (await repo.insertPending(newOrder(userId, accountId) as NewOrder)).order;
    await repo.update(open.id, { status: 'OPEN' });
    const ids = async (before: Date) => (await repo.findUnresolved(before, 100_000)).map((o) => o.id);
    const past = new Date(Date.now() - 3_600_000);
    expect(await ids(past)).toContain(open.id);
    expect(await ids(past)).not.toContain(pending.id);
    expect(await ids(new Date(Date.now() + 60_000))).toContain(pending.id);
    expect(await repo.countUnresolvedForAccount(userId, accountId)).toBe(2);
    await repo.incrementAttempts(pending.id);
    expect((await repo.findById(pending.id))?.sendAttempts).toBe(1);
  });

  it('a fill is recorded once per exchange trade id, and fills come back in execution order', async () => {
    const { userId, accountId } = await owner();
    const order = (await repo.insertPending(newOrder(userId, accountId) as NewOrder)).order;
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    const f2 = newFill(order, { exchangeTradeId: '10', executedAt: t(2) }) as NewFill;
    const f1 = newFill(order, { exchangeTradeId: '9', executedAt: t(2), price: '60000.12345678' }) as NewFill;
    const inserted = await repo.insertFills([f2, f1]);
    expect(inserted.map((f) => f.exchangeTradeId)).toEqual(['9', '10']); // same time: numeric trade id order
    expect(inserted[0].price).toBe('60000.12345678');
    expect(await repo.insertFills([f1, newFill(order, { exchangeTradeId: '11', executedAt: t(3) }) as NewFill])).toHaveLength(1);
    // (fillsOfOrder orders trade ids as text, unlike byExecution: only the set is asserted here)
    expect(new Set((await repo.fillsOfOrder(order.id)).map((f) => f.exchangeTradeId))).toEqual(new Set(['9', '10', '11']));
    expect(await repo.hasLaterFill(inserted[0], [inserted[0].id])).toBe(true);
    const last = (await repo.fillsOfPosition(inserted[0])).at(-1)!;
    expect(last.exchangeTradeId).toBe('11');
    expect(await repo.hasLaterFill(last, [last.id])).toBe(false);
  });
});
