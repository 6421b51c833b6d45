export * from './exchange.types';
export * from './exchange.port';
export * from './exchange.errors';
export * from './client-order-id';
export * from './retry/retry.policy';
export { CcxtExchange, type CcxtExchangeConfig, type ExchangeLogger } from './ccxt/ccxt.exchange';
export { loadCcxt, isCcxtLoaded } from './ccxt/ccxt.loader';
export { CcxtClientRegistry, defaultCcxtClientRegistry } from './ccxt/ccxt-client.registry';
export { PORTABLE_CLIENT_ORDER_ID, dialectFor, type CcxtDialect } from './ccxt/ccxt.dialects';
export { mapCcxtError } from './ccxt/ccxt-error.mapper';
export { SecretCipher, SecretCipherError, type SecretKeyring } from './crypto/secret.cipher';
export { PaperExchange, DEFAULT_PAPER_BALANCES, type PaperExchangeOptions, type PaperReplayStatus, type PaperReplayStep } from './paper/paper.exchange';
export { PaperExchangeFactory, type PaperExchangeDefaults } from './paper/paper-exchange.factory';
export {
  PaperExchangeProvider,
  PaperPriceFeedResolver,
  PublicTickerFeed,
  PublicTickerFeedResolver,
  type PaperAccountRef,
} from './paper/paper-exchange.provider';
export { PaperExchangeModule } from './paper/paper-exchange.module';
export { PAPER_MARKETS } from './paper/paper-markets';
export { CandleReplayFeed, TickerFeed, type PaperPrice, type PaperPriceFeed, type CandleSource, type CandleReplayOptions } from './paper/paper-price.feed';
export {
  PaperExchangeRepository,
  paperSqlFromDataSource,
  paperSqlFromTransactionHost,
  type PaperSql,
  type SqlRunner,
} from './paper/paper-exchange.repository';
