import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { IsNull, Not } from 'typeorm';
import { PositionEntity } from './position.entity';

export interface PositionKey {
  userId: string;
  accountId: string;
  symbol: string;
  side: 'long' | 'short';
  botKey: string;
}

export interface PositionQuery {
  status?: 'open' | 'closed' | 'all';
  symbol?: string;
  accountId?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class PositionsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(PositionEntity);
  }

  /**
   * Serialize every writer of one position key until the transaction ends (a transaction-scoped advisory lock):
   * the first fill of a key has no row to lock yet, and a late fill must see every fill committed before it.
   */
  async lockKey(key: PositionKey): Promise<void> {
    await this.repo.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`position:${key.accountId}:${key.symbol}:${key.side}:${key.botKey}`]);
  }

  /** Every lifecycle row of a key, oldest first, locked FOR UPDATE (call inside a transaction, after lockKey). */
  lockAllOfKey(key: PositionKey): Promise<PositionEntity[]> {
    return this.repo
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.account_id = :accountId AND p.symbol = :symbol AND p.side = :side AND p.bot_key = :botKey', key)
      .orderBy('p.closed_at IS NULL', 'ASC')
      .addOrderBy('p.opened_at', 'ASC', 'NULLS FIRST')
      .addOrderBy('p.id', 'ASC')
      .getMany();
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.repo.delete(ids as string[]);
  }

  /** The open position for the key, locked FOR UPDATE (call inside a transaction). */
  async lockOpen(key: PositionKey): Promise<PositionEntity | null> {
    return this.repo
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.account_id = :accountId AND p.symbol = :symbol AND p.side = :side AND p.bot_key = :botKey AND p.closed_at IS NULL', key)
      .getOne();
  }

  async insert(p: Partial<PositionEntity>): Promise<PositionEntity> {
    const saved = await this.repo.save(this.repo.create(p));
    return saved;
  }

  async update(id: string, fields: Partial<PositionEntity>): Promise<void> {
    await this.repo.update({ id }, fields);
  }

  findForUser(userId: string, id: string): Promise<PositionEntity | null> {
    return this.repo.findOne({ where: { id, userId } });
  }

  async listForUser(userId: string, q: PositionQuery): Promise<[PositionEntity[], number]> {
    const where = {
      userId,
      ...(q.symbol ? { symbol: q.symbol } : {}),
      ...(q.accountId ? { accountId: q.accountId } : {}),
      ...(q.status === 'open' ? { closedAt: IsNull() } : q.status === 'closed' ? { closedAt: Not(IsNull()) } : {}),
    };
    return this.repo.findAndCount({ where, order: { updatedAt: 'DESC' }, take: q.limit, skip: q.offset });
  }

  /** Every position row of an account+symbol (for reconciliation checks). */
  listForAccountSymbol(accountId: string, symbol: string): Promise<PositionEntity[]> {
    return this.repo.find({ where: { accountId, symbol }, order: { updatedAt: 'ASC' } });
  }
}
