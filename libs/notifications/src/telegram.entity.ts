import { Column, Entity, PrimaryColumn } from 'typeorm';

export const NOTIFICATION_MODES = ['on', 'silent', 'off'] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];

/** A Telegram chat linked to a user. `chatId` is Telegram's (bigint, read as a string). */
@Entity('telegram_chats')
export class TelegramChatEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('bigint', { name: 'chat_id' }) chatId!: string;
  @Column('varchar', { nullable: true }) username!: string | null;
  @Column('boolean') active!: boolean;
  @Column('timestamptz', { name: 'linked_at' }) linkedAt!: Date;
}

/** A one-time link code, stored as its sha-256. */
@Entity('telegram_link_codes')
export class TelegramLinkCodeEntity {
  @PrimaryColumn('char', { name: 'code_hash', length: 64 }) codeHash!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt!: Date | null;
}

@Entity('notification_prefs')
export class NotificationPrefEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId!: string;
  @PrimaryColumn('varchar', { name: 'event_type' }) eventType!: string;
  @Column('varchar') mode!: NotificationMode;
}

@Entity('sent_notifications')
export class SentNotificationEntity {
  @PrimaryColumn('uuid', { name: 'event_id' }) eventId!: string;
  @PrimaryColumn('bigint', { name: 'chat_id' }) chatId!: string;
  @Column('bigint', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('timestamptz', { name: 'sent_at' }) sentAt!: Date;
}

export const TELEGRAM_ENTITIES = [TelegramChatEntity, TelegramLinkCodeEntity, NotificationPrefEntity, SentNotificationEntity];
