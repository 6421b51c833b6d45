import { DynamicModule, Module } from '@nestjs/common';
import type { TbConfigModuleOptions } from '@tb/config';
import { PlatformModule } from '@tb/platform';
import { BacktestRunsHttpModule } from '@tb/backtest-runs';
import { UsersHttpModule } from '@tb/users';
import { AccountsHttpModule } from '@tb/accounts';
import { OrdersHttpModule } from '@tb/orders';
import { PositionsHttpModule } from '@tb/positions';
import { NotificationsHttpModule } from '@tb/notifications';
import { BotsHttpModule, StatsHttpModule, TraderControlsHttpModule } from '@tb/bots';

/** HYPERRSI API (:8000): /api/hyperrsi/bots plus the shared routers. */
@Module({})
export class HyperrsiApiModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: HyperrsiApiModule,
      imports: [PlatformModule.forRoot(options), UsersHttpModule, AccountsHttpModule, OrdersHttpModule, PositionsHttpModule, BacktestRunsHttpModule, BotsHttpModule.forStrategy('hyperrsi'), StatsHttpModule.forStrategy('hyperrsi'), TraderControlsHttpModule.forStrategy('hyperrsi'), NotificationsHttpModule],
    };
  }
}
