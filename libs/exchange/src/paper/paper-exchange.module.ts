import { Module } from '@nestjs/common';
import { PaperExchangeProvider, PaperPriceFeedResolver, PublicTickerFeedResolver } from './paper-exchange.provider';

/**
 * The paper exchange as a provider: any module that builds exchange adapters (the accounts lib) imports this, so
 * a paper account works in every process that loads accounts. Needs the platform's DatabaseModule and config.
 */
@Module({
  providers: [{ provide: PaperPriceFeedResolver, useClass: PublicTickerFeedResolver }, PaperExchangeProvider],
  exports: [PaperExchangeProvider, PaperPriceFeedResolver],
})
export class PaperExchangeModule {}
