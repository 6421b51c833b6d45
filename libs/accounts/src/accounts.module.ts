import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExchangeAccountEntity } from './exchange-account.entity';
import { ExchangeAccountsRepository } from './exchange-accounts.repository';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeFactory } from './exchange.factory';
import { ExchangeAccountsController } from './exchange-accounts.controller';

/** Exchange accounts and their adapters (one per account, cached). Global: one cache per process. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ExchangeAccountEntity])],
  providers: [ExchangeAccountsRepository, ExchangeAccountsService, ExchangeFactory],
  exports: [ExchangeAccountsService, ExchangeFactory],
})
export class AccountsModule {}

/** REST: /api/exchange-accounts (mounted by both API apps through OrdersHttpModule). */
@Module({
  imports: [AccountsModule],
  controllers: [ExchangeAccountsController],
})
export class AccountsHttpModule {}
