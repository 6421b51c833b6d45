import { Module } from '@nestjs/common';
import { OrdersModule } from './orders.module';
import { OrdersController } from './orders.controller';
import { PositionsCloseController } from './positions-close.controller';

/** REST: /api/orders and POST /api/positions/:id/close (closing is an order). Mounted by both API apps (never by the worker or the CLI). */
@Module({
  imports: [OrdersModule],
  controllers: [OrdersController, PositionsCloseController],
})
export class OrdersHttpModule {}
