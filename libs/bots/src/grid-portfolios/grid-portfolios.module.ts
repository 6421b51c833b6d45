import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@tb/accounts';
import { SYSTEM_CLOCK_PROVIDER } from '@tb/common';
import { MarketModule } from '@tb/market';
import { OrdersModule } from '@tb/orders';
import { BotsModule } from '../bots.module';
import { GridPortfolioBotEntity, GridPortfolioEntity } from './grid-portfolio.entity';
import { GridPortfoliosController } from './grid-portfolios.controller';
import { GridPortfoliosRepository } from './grid-portfolios.repository';
import { GridPortfoliosService } from './grid-portfolios.service';

/** GRID portfolios without HTTP: the service the worker's scheduler drives. */
@Module({
  imports: [TypeOrmModule.forFeature([GridPortfolioEntity, GridPortfolioBotEntity]), BotsModule, OrdersModule, AccountsModule, MarketModule],
  providers: [GridPortfoliosRepository, GridPortfoliosService, SYSTEM_CLOCK_PROVIDER],
  exports: [GridPortfoliosService],
})
export class GridPortfoliosModule {}

/** /api/grid/portfolios (grid-api). Needs PlatformModule and UsersHttpModule's global AuthGuard. */
@Module({
  imports: [GridPortfoliosModule],
  controllers: [GridPortfoliosController],
})
export class GridPortfoliosHttpModule {}
