import { DynamicModule, Module } from '@nestjs/common';
import { OrdersModule } from '@tb/orders';
import type { BotStrategyName } from '../bot.entity';
import { BotsModule } from '../bots.module';
import { BotsHttpService } from './bots-http.service';
import { GridBotsController, HyperrsiBotsController } from './bots.controller';

/**
 * The bots REST API of one strategy: `forStrategy('hyperrsi')` serves /api/hyperrsi/bots (hyperrsi-api),
 * `forStrategy('grid')` serves /api/grid/bots (grid-api). Needs PlatformModule and UsersHttpModule's global AuthGuard.
 */
@Module({})
export class BotsHttpModule {
  static forStrategy(strategy: BotStrategyName): DynamicModule {
    return {
      module: BotsHttpModule,
      imports: [BotsModule, OrdersModule],
      providers: [BotsHttpService],
      controllers: [strategy === 'hyperrsi' ? HyperrsiBotsController : GridBotsController],
    };
  }
}
