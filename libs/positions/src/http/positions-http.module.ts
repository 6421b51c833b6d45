import { Module } from '@nestjs/common';
import { AccountsModule } from '@tb/accounts';
import { PositionsModule } from '../positions.module';
import { PositionDetailService } from './position-detail.service';
import { PositionsController } from './positions.controller';

/**
 * REST: GET /api/positions and /api/positions/:id (mounted by both API apps). Closing a position places an order,
 * so POST /api/positions/:id/close is the OMS's route (OrdersHttpModule): @tb/orders sits above @tb/positions.
 */
@Module({
  imports: [PositionsModule, AccountsModule],
  providers: [PositionDetailService],
  controllers: [PositionsController],
})
export class PositionsHttpModule {}
