import { Injectable, Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import type { DomainEvent } from '@tb/events';
import { TelegramChatsRepository } from '../linking/telegram-chats.repository';
import { NotificationPrefsService } from '../prefs/notification-prefs.service';
import { notificationText } from './notification-text';
import type { SendPacer } from './send-pacer';
import { DEFAULT_SEND_POLICY, sendPaced, type SendPolicy } from './telegram-send';
import { SentNotificationsRepository } from './sent-notifications.repository';

/**
 * One event -> one message per active linked chat of its user (per the user's preference: on, silent, off).
 * Idempotent by (event id, chat): a chat with a record is skipped; the record is written right after Telegram
 * accepts (a crash between the two is the only way a message repeats).
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);
  policy: SendPolicy = DEFAULT_SEND_POLICY;

  constructor(
    private readonly chats: TelegramChatsRepository,
    private readonly prefs: NotificationPrefsService,
    private readonly sent: SentNotificationsRepository,
  ) {}

  async dispatch(event: DomainEvent, telegram: Telegram, pacer: SendPacer): Promise<void> {
    if (!event.userId) return;
    const mode = await this.prefs.modeOf(event.userId, event.type);
    if (mode === 'off') return;
    const text = notificationText(event);
    for (const chat of await this.chats.activeForUser(event.userId)) {
      const chatId = String(chat.chatId);
      if (await this.sent.wasSent(event.eventId, chatId)) continue;
      const outcome = await sendPaced(telegram, pacer, chatId, text, mode === 'silent', this.policy);
      if (outcome.kind === 'sent') await this.sent.record(event.eventId, chatId, outcome.messageId);
      else if (outcome.kind === 'blocked') {
        await this.chats.markInactive(chatId);
        this.logger.log({ msg: 'telegram chat blocked the bot; marked inactive', chatId });
      } else this.logger.warn({ msg: 'telegram rejected a notification', chatId, eventId: event.eventId, reason: outcome.reason });
    }
  }
}
