import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@tb/accounts';
import { EventsModule } from '@tb/events';
import { PositionsModule } from '@tb/positions';
import { FillEntity } from './fill.entity';
import { OrderEntity } from './order.entity';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { OrdersReconciler } from './orders.reconciler';
import { PositionsCloseService } from './positions-close.service';

/** The OMS without HTTP (the worker uses this); OrdersHttpModule adds the REST routers for the APIs. */
@Module({
  imports: [TypeOrmModule.forFeature([OrderEntity, FillEntity]), AccountsModule, PositionsModule, EventsModule],
  providers: [OrdersRepository, OrdersService, OrdersReconciler, PositionsCloseService],
  exports: [OrdersService, OrdersReconciler, PositionsCloseService],
})
export class OrdersModule {}
