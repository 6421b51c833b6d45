import { DynamicModule, Module } from '@nestjs/common';
import type { BotStrategyName } from '../bot.entity';
import { OrdersModule } from '@tb/orders';
import { BotsModule } from '../bots.module';
import { BotsHttpService } from '../http/bots-http.service';
import { PresetsController } from '../presets/presets.controller';
import { PresetsModule } from '../presets/presets.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GridBotWebhooksController, GridWebhookReceiverController, HyperrsiBotWebhooksController, HyperrsiWebhookReceiverController } from '../webhooks/webhooks.controller';
import { GridBotCommandsController, HyperrsiBotCommandsController } from './bot-commands.controller';

/**
 * Trader controls of one strategy's app (docs/adr/0018-trader-commands.md): commands into a bot, signal webhooks; HYPERRSI presets. Needs
 * PlatformModule and UsersHttpModule's global AuthGuard.
 */
@Module({})
export class TraderControlsHttpModule {
  static forStrategy(strategy: BotStrategyName): DynamicModule {
    return {
      module: TraderControlsHttpModule,
      imports: [BotsModule, OrdersModule, PresetsModule, WebhooksModule],
      providers: [BotsHttpService],
      controllers:
        strategy === 'hyperrsi'
          ? [HyperrsiBotCommandsController, PresetsController, HyperrsiBotWebhooksController, HyperrsiWebhookReceiverController]
          : [GridBotCommandsController, GridBotWebhooksController, GridWebhookReceiverController],
    };
  }
}
