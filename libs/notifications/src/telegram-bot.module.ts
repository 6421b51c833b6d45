import { Module } from '@nestjs/common';
import { NotificationsModule } from './notifications.module';
import { LinkCommands } from './bot/link-commands';
import { TelegramBotService } from './bot/telegram-bot.service';
import { NotificationDispatcher } from './notify/notification-dispatcher.service';
import { NotificationsConsumer } from './notify/notifications-consumer.service';
import { SentNotificationsRepository } from './notify/sent-notifications.repository';

/** The Telegram bot, run by the worker (idle without TELEGRAM_BOT_TOKEN). */
@Module({ imports: [NotificationsModule], providers: [LinkCommands, TelegramBotService, SentNotificationsRepository, NotificationDispatcher, NotificationsConsumer], exports: [TelegramBotService, NotificationDispatcher] })
export class TelegramBotModule {}
