import { DynamicModule, Module } from '@nestjs/common';
import type { BotStrategyName } from '../bot.entity';
import { BotsModule } from '../bots.module';
import { GridBotCommandsController, HyperrsiBotCommandsController } from './bot-commands.controller';

/**
 * Trader controls of one strategy's app (docs/adr/0018-trader-commands.md): commands into a bot. Needs
 * PlatformModule and UsersModule's global AuthGuard.
 */
@Module({})
export class TraderControlsHttpModule {
  static forStrategy(strategy: BotStrategyName): DynamicModule {
    return {
      module: TraderControlsHttpModule,
      imports: [BotsModule],
      providers: [],
      controllers: strategy === 'hyperrsi' ? [HyperrsiBotCommandsController] : [GridBotCommandsController],
    };
  }
}
