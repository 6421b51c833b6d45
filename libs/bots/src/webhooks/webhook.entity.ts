import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A bot's signal webhook: only the sha-256 of its secret URL token is stored. */
@Entity('bot_webhooks')
export class BotWebhookEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'bot_id' }) botId!: string;
  @Column('char', { name: 'token_hash', length: 64 }) tokenHash!: string;
  @Column('varchar', { nullable: true }) label!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { name: 'last_alert_at', nullable: true }) lastAlertAt!: Date | null;
}

/** An alert id a webhook accepted (unique per webhook: a replayed alert is not a second command). */
@Entity('bot_webhook_alerts')
export class BotWebhookAlertEntity {
  @PrimaryColumn('uuid', { name: 'webhook_id' }) webhookId!: string;
  @PrimaryColumn('varchar', { name: 'alert_id' }) alertId!: string;
  @Column('varchar', { name: 'command_id' }) commandId!: string;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
}
