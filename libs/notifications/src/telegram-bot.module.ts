import { Module } from '@nestjs/common';
import { NotificationsModule } from './notifications.module';
import { LinkCommands } from './bot/link-commands';
import { TelegramBotService } from './bot/telegram-bot.service';

/** The Telegram bot, run by the worker (idle without TELEGRAM_BOT_TOKEN). */
@Module({ imports: [NotificationsModule], providers: [LinkCommands, TelegramBotService], exports: [TelegramBotService] })
export class TelegramBotModule {}
