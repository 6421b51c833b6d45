import { Module } from '@nestjs/common';
import { OrdersModule } from './orders.module';
import { PositionsController } from './positions.controller';

/**
 * REST: /api/positions. Mounted by both API apps. It lives in the orders lib, beside PositionsCloseService, because
 * closing a position places an order: @tb/positions sits below @tb/orders in the layer map and cannot import it.
 */
@Module({
  imports: [OrdersModule],
  controllers: [PositionsController],
})
export class PositionsHttpModule {}
