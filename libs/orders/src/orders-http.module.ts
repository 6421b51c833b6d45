import { Module } from '@nestjs/common';
import { AccountsHttpModule } from '@tb/accounts';
import { OrdersModule } from './orders.module';
import { OrdersController } from './orders.controller';
import { PositionsController } from './positions.controller';

/** REST: /api/orders, /api/positions (+ /api/exchange-accounts). Mounted by both API apps. */
@Module({
  imports: [OrdersModule, AccountsHttpModule],
  controllers: [OrdersController, PositionsController],
})
export class OrdersHttpModule {}
