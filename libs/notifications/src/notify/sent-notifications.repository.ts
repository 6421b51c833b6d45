import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { SentNotificationEntity } from '../telegram.entity';

/** The idempotency record: one row per (event, chat) Telegram accepted. */
@Injectable()
export class SentNotificationsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(SentNotificationEntity);
  }

  async wasSent(eventId: string, chatId: string): Promise<boolean> {
    return (await this.repo.countBy({ eventId, chatId })) > 0;
  }

  async record(eventId: string, chatId: string, messageId: number): Promise<void> {
    await this.repo.createQueryBuilder().insert().values({ eventId, chatId, messageId: String(messageId), sentAt: new Date() }).orIgnore().execute();
  }
}
