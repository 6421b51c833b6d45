import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TELEGRAM_ENTITIES } from './telegram.entity';
import { TelegramChatsRepository } from './linking/telegram-chats.repository';
import { TelegramLinkingService } from './linking/telegram-linking.service';
import { NotificationPrefsService } from './prefs/notification-prefs.service';
import { NotificationPrefsRepository } from './prefs/notification-prefs.repository';

/** Linked chats and notification preferences, without HTTP or Telegram. */
@Module({
  imports: [TypeOrmModule.forFeature(TELEGRAM_ENTITIES)],
  providers: [TelegramChatsRepository, TelegramLinkingService, NotificationPrefsRepository, NotificationPrefsService],
  exports: [TelegramChatsRepository, TelegramLinkingService, NotificationPrefsService],
})
export class NotificationsModule {}
