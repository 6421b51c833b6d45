import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { IsNull } from 'typeorm';
import { BotWebhookAlertEntity, BotWebhookEntity } from './webhook.entity';

/** The only place that touches webhooks and their alerts. Trader-facing reads take the user id. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get hooks() {
    return this.txHost.tx.getRepository(BotWebhookEntity);
  }

  private get alerts() {
    return this.txHost.tx.getRepository(BotWebhookAlertEntity);
  }

  async insert(w: Pick<BotWebhookEntity, 'id' | 'userId' | 'botId' | 'tokenHash' | 'label'>): Promise<void> {
    await this.hooks.insert(w);
  }

  listForBot(userId: string, botId: string): Promise<BotWebhookEntity[]> {
    return this.hooks.find({ where: { userId, botId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** A webhook that still answers, by the hash of its token. */
  findActiveByHash(tokenHash: string): Promise<BotWebhookEntity | null> {
    return this.hooks.findOneBy({ tokenHash, revokedAt: IsNull() });
  }

  async revoke(userId: string, botId: string, id: string): Promise<boolean> {
    const res = await this.hooks.update({ id, userId, botId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  /** Records an accepted alert id; false when the webhook accepted it before (a replay). */
  async insertAlert(webhookId: string, alertId: string, commandId: string): Promise<boolean> {
    const res = await this.alerts.createQueryBuilder().insert().values({ webhookId, alertId, commandId }).orIgnore().returning(['alertId']).execute();
    if ((res.raw as unknown[]).length === 0) return false;
    await this.hooks.update({ id: webhookId }, { lastAlertAt: new Date() });
    return true;
  }
}
