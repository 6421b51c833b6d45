import { DynamicModule, Module } from '@nestjs/common';
import type { TbConfigModuleOptions } from '@tb/config';
import { PlatformModule } from '@tb/platform';
import { BacktestRunsApiModule } from '@tb/backtest-runs';
import { UsersModule } from '@tb/users';
import { OrdersHttpModule } from '@tb/orders';
import { BotsHttpModule, StatsHttpModule, TraderControlsHttpModule } from '@tb/bots';

/** HYPERRSI API (:8000): /api/hyperrsi/bots plus the shared routers. */
@Module({})
export class HyperrsiApiModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: HyperrsiApiModule,
      imports: [PlatformModule.forRoot(options), UsersModule, OrdersHttpModule, BacktestRunsApiModule, BotsHttpModule.forStrategy('hyperrsi'), StatsHttpModule.forStrategy('hyperrsi'), TraderControlsHttpModule.forStrategy('hyperrsi')],
    };
  }
}
