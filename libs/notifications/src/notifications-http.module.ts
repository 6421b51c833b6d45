import { Module } from '@nestjs/common';
import { NotificationsModule } from './notifications.module';
import { TelegramController } from './http/telegram.controller';

/** REST: link codes, linked chats, notification preferences. */
@Module({ imports: [NotificationsModule], controllers: [TelegramController] })
export class NotificationsHttpModule {}
