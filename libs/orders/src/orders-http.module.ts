import { Module } from '@nestjs/common';
import { OrdersModule } from './orders.module';
import { OrdersController } from './orders.controller';

/** REST: /api/orders. Mounted by both API apps (never by the worker or the CLI). */
@Module({
  imports: [OrdersModule],
  controllers: [OrdersController],
})
export class OrdersHttpModule {}
