import { DynamicModule, Module } from '@nestjs/common';
import type { TbConfigModuleOptions } from '@tb/config';
import { PlatformModule } from '@tb/platform';
import { BacktestRunsHttpModule } from '@tb/backtest-runs';
import { UsersHttpModule } from '@tb/users';
import { AccountsHttpModule } from '@tb/accounts';
import { OrdersHttpModule } from '@tb/orders';
import { PositionsHttpModule } from '@tb/positions';
import { BotsHttpModule, GridControlsHttpModule, GridPortfoliosHttpModule, StatsHttpModule, TraderControlsHttpModule } from '@tb/bots';

/** GRID API (:8012): /api/grid/bots plus the shared routers. */
@Module({})
export class GridApiModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: GridApiModule,
      imports: [PlatformModule.forRoot(options), UsersHttpModule, AccountsHttpModule, OrdersHttpModule, PositionsHttpModule, BacktestRunsHttpModule, BotsHttpModule.forStrategy('grid'), StatsHttpModule.forStrategy('grid'), GridControlsHttpModule, GridPortfoliosHttpModule, TraderControlsHttpModule.forStrategy('grid')],
    };
  }
}
