import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { NotificationPrefEntity, type NotificationMode } from '../telegram.entity';

/** The only place that touches notification preferences. */
@Injectable()
export class NotificationPrefsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(NotificationPrefEntity);
  }

  forUser(userId: string): Promise<NotificationPrefEntity[]> {
    return this.repo.findBy({ userId });
  }

  async one(userId: string, eventType: string): Promise<NotificationMode | null> {
    return (await this.repo.findOneBy({ userId, eventType }))?.mode ?? null;
  }

  async upsert(userId: string, eventType: string, mode: NotificationMode): Promise<void> {
    await this.repo.upsert({ userId, eventType, mode }, ['userId', 'eventType']);
  }
}
