import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@tb/database';
import type { TransactionalAdapterTypeOrm } from '@tb/database';
import { In, IsNull, Not } from 'typeorm';
import { ExchangeAccountEntity } from './exchange-account.entity';

/** Only place that touches the exchange_accounts table. Every read is scoped by the owner's user id. */
@Injectable()
export class ExchangeAccountsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(ExchangeAccountEntity);
  }

  async insert(account: ExchangeAccountEntity): Promise<void> {
    await this.repo.insert(account);
  }

  findForUser(userId: string, id: string): Promise<ExchangeAccountEntity | null> {
    return this.repo.findOne({ where: { id, userId, deletedAt: IsNull() } });
  }

  /** One page of the user's accounts, oldest first, and how many there are. */
  pageForUser(userId: string, limit: number, offset: number): Promise<[ExchangeAccountEntity[], number]> {
    return this.repo.findAndCount({ where: { userId, deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit, skip: offset });
  }

  async softDelete(userId: string, id: string): Promise<boolean> {
    const res = await this.repo.update({ id, userId, deletedAt: IsNull() }, { deletedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  /** Accounts whose secrets were encrypted with another key than `activeKeyId` (for rotation). */
  findEncryptedWithOtherKey(activeKeyId: string, limit: number): Promise<ExchangeAccountEntity[]> {
    return this.repo.find({ where: { keyId: Not(activeKeyId) }, take: limit, order: { id: 'ASC' } });
  }

  async updateSecrets(id: string, fields: Pick<ExchangeAccountEntity, 'apiKeyEnc' | 'secretEnc' | 'passphraseEnc' | 'keyId'>): Promise<void> {
    await this.repo.update({ id }, fields);
  }

  /** Internal (no user scope): the OMS/reconciler resolve accounts of orders they already own by id. */
  findByIdInternal(id: string): Promise<ExchangeAccountEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByIdsInternal(ids: readonly string[]): Promise<ExchangeAccountEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In([...ids]) } }) : Promise.resolve([]);
  }
}
