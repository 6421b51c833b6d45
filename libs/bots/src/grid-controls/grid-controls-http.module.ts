import { Module } from '@nestjs/common';
import { OrdersModule } from '@tb/orders';
import { BotsModule } from '../bots.module';
import { GridControlsController } from './grid-controls.controller';
import { GridControlsService } from './grid-controls.service';

/** GRID controls (grid-api): /api/grid/bots/:id/levels and /adjust. Needs PlatformModule and UsersHttpModule's global AuthGuard. */
@Module({
  imports: [BotsModule, OrdersModule],
  providers: [GridControlsService],
  controllers: [GridControlsController],
})
export class GridControlsHttpModule {}
