import { Module } from '@nestjs/common';
import { TelegrafModule } from 'nestjs-telegraf';
import { AppConfig } from '@tb/config';
import { BacktestRunsModule } from '@tb/backtest-runs';
import { BotsHttpService, BotsModule, PresetsModule, StatsModule } from '@tb/bots';
import { MarketModule } from '@tb/market';
import { OrdersModule } from '@tb/orders';
import { PositionsModule } from '@tb/positions';
import { AccountsModule } from '@tb/accounts';
import { NotificationsModule } from './notifications.module';
import { TelegramLinkingService } from './linking/telegram-linking.service';
import { telegramGate } from './bot/telegram-gate';
import { TelegramBotService } from './bot/telegram-bot.service';
import { NotificationDispatcher } from './notify/notification-dispatcher.service';
import { NotificationsConsumer } from './notify/notifications-consumer.service';
import { SentNotificationsRepository } from './notify/sent-notifications.repository';
import { ConversationStore } from './commands/conversation.store';
import { TelegramTraderService } from './commands/telegram-trader.service';
import { TradeFlow } from './commands/trade.flow';
import { SettingsFlow } from './commands/settings.flow';
import { LinkUpdate } from './commands/updates/link.update';
import { BotsUpdate } from './commands/updates/bots.update';
import { TradeUpdate } from './commands/updates/trade.update';
import { SettingsUpdate } from './commands/updates/settings.update';
import { AccountUpdate } from './commands/updates/account.update';
import { ProtectionUpdate } from './commands/updates/protection.update';

/** A token for the bot object when none is configured: the bot is then never launched (nothing calls Telegram). */
const IDLE_TOKEN = '0:telegram-disabled';

/**
 * The Telegram bot, run by the worker through nestjs-telegraf (idle without TELEGRAM_BOT_TOKEN; TELEGRAM_API_ROOT
 * points it at another Bot API server): the link gate, the command handlers (@Update classes, calling the same
 * services as the REST API), the poll lease and the notification consumer.
 */
@Module({
  imports: [
    NotificationsModule,
    BotsModule,
    OrdersModule,
    PositionsModule,
    AccountsModule,
    PresetsModule,
    StatsModule,
    BacktestRunsModule,
    MarketModule,
    TelegrafModule.forRootAsync({
      imports: [NotificationsModule],
      inject: [AppConfig, TelegramLinkingService],
      useFactory: (config: AppConfig, linking: TelegramLinkingService) => ({
        token: config.telegram.botToken || IDLE_TOKEN,
        launchOptions: false,
        options: { telegram: config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}, handlerTimeout: 60_000 },
        middlewares: [telegramGate(linking)],
        include: [TelegramBotModule],
      }),
    }),
  ],
  providers: [
    TelegramBotService,
    SentNotificationsRepository,
    NotificationDispatcher,
    NotificationsConsumer,
    BotsHttpService,
    ConversationStore,
    TelegramTraderService,
    TradeFlow,
    SettingsFlow,
    LinkUpdate,
    BotsUpdate,
    TradeUpdate,
    SettingsUpdate,
    AccountUpdate,
    ProtectionUpdate,
  ],
  exports: [TelegramBotService, NotificationDispatcher],
})
export class TelegramBotModule {}
