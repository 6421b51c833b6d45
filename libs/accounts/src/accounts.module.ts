import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PaperExchangeModule } from '@tb/exchange';
import { ExchangeAccountEntity } from './exchange-account.entity';
import { ExchangeAccountsRepository } from './exchange-accounts.repository';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ExchangeFactory } from './exchange.factory';
import { ExchangeAccountsController } from './exchange-accounts.controller';

/**
 * Exchange accounts and their adapters (one per account, cached; paper accounts through the paper exchange
 * provider). Nest builds a static module once per application, so every importer shares one cache.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ExchangeAccountEntity]), PaperExchangeModule],
  providers: [ExchangeAccountsRepository, ExchangeAccountsService, ExchangeFactory],
  exports: [ExchangeAccountsService, ExchangeFactory],
})
export class AccountsModule {}

/** REST: /api/exchange-accounts (mounted by both API apps). */
@Module({
  imports: [AccountsModule],
  controllers: [ExchangeAccountsController],
})
export class AccountsHttpModule {}
