import { Injectable, Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import type { DomainEvent } from '@tb/events';
import { TelegramChatsRepository } from '../linking/telegram-chats.repository';
import { NotificationPrefsService } from '../prefs/notification-prefs.service';
import type { ChatQueues, QueuedNotification } from './chat-queues';
import { notificationText } from './notification-text';
import { pause, type SendPacer } from './send-pacer';
import { DEFAULT_SEND_POLICY, sendPaced, type SendPolicy } from './telegram-send';
import { SentNotificationsRepository } from './sent-notifications.repository';

/** What became of a chat's queue head. */
export type DeliveryOutcome = 'sent' | 'skipped' | 'blocked' | 'rejected' | 'stopped';

/**
 * Events -> per-chat queues -> Telegram.
 * `fanOut`: one event -> one queued message per active linked chat of its user, per the user's preference (on,
 * silent, off), appended once per (event, chat) even when the event is redelivered.
 * `deliver`: one queued message; skipped when `sent_notifications` has (event, chat) or the chat is no longer the
 * user's; otherwise sent and recorded right after Telegram accepts (a crash between the two is the only way a message
 * repeats).
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

  /** The chats the event was queued for (newly; a redelivered event queues nothing twice). */
  async fanOut(event: DomainEvent, queues: ChatQueues): Promise<string[]> {
    if (!event.userId) return [];
    const mode = await this.prefs.modeOf(event.userId, event.type);
    if (mode === 'off') return [];
    const item: QueuedNotification = { eventId: event.eventId, userId: event.userId, text: notificationText(event), silent: mode === 'silent' };
    const queued: string[] = [];
    for (const chat of await this.chats.activeForUser(event.userId)) {
      const chatId = String(chat.chatId);
      if (await queues.enqueue(chatId, item)) queued.push(chatId);
    }
    return queued;
  }

  async deliver(chatId: string, item: QueuedNotification, telegram: Telegram, pacer: SendPacer, signal?: AbortSignal): Promise<DeliveryOutcome> {
    if (await this.sent.wasSent(item.eventId, chatId)) return 'skipped';
    if (!(await this.chats.isActiveFor(chatId, item.userId))) return 'skipped';
    const outcome = await sendPaced(telegram, pacer, chatId, item.text, item.silent, this.policy, signal);
    switch (outcome.kind) {
      case 'sent':
        await this.record(item.eventId, chatId, outcome.messageId);
        return 'sent';
      case 'blocked':
        await this.chats.markInactive(chatId);
        this.logger.log({ msg: 'telegram chat blocked the bot; marked inactive', chatId });
        return 'blocked';
      case 'rejected':
        this.logger.warn({ msg: 'telegram rejected a notification', chatId, eventId: item.eventId, reason: outcome.reason });
        return 'rejected';
      case 'stopped':
        return 'stopped';
    }
  }

  /** Telegram accepted: the record is retried until written (every failed try widens the repeat window). */
  private async record(eventId: string, chatId: string, messageId: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sent.record(eventId, chatId, messageId);
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        this.logger.warn({ msg: 'recording a sent notification failed; retrying', chatId, eventId, error: (e as Error).message });
        await pause(Math.min(100 * attempt, 1000));
      }
    }
  }
}
