import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { IsNull } from 'typeorm';
import { EventOutboxEntity } from './event-outbox.entity';
import type { EventType } from './domain-event';

@Injectable()
export class EventOutboxRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(EventOutboxEntity);
  }

  /** Append an event to the outbox in the CURRENT transaction (it exists only if the state change commits). */
  async append(type: EventType, userId: string | null, payload: object): Promise<void> {
    await this.repo.insert({ type, userId, payload: payload as never, createdAt: new Date(), publishedAt: null });
  }

  unpublished(limit: number): Promise<EventOutboxEntity[]> {
    return this.repo.find({ where: { publishedAt: IsNull() }, order: { id: 'ASC' }, take: limit });
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.repo.createQueryBuilder().update().set({ publishedAt: () => 'now()' }).whereInIds(ids).execute();
  }
}
