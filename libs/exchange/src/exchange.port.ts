import type { Candle, Timeframe } from '@tb/strategies';
import type {
  CancelOrderRequest,
  CreateOrderRequest,
  ExchangeBalance,
  ExchangeMarket,
  ExchangeOrder,
  ExchangePosition,
  ExchangeTicker,
  ExchangeTrade,
} from './exchange.types';

/**
 * The exchange boundary (docs/architecture.md §5) and its DI token. Implementations: `CcxtExchange` (live) and the paper
 * exchange. Symbols are ccxt unified ('BTC/USDT' spot, 'BTC/USDT:USDT' perpetual); amounts are numbers in
 * base units. Every failure is an `ExchangeError` subclass with a stable `code` and a `retryable` flag.
 *
 * Idempotency contract: `createOrder` is keyed by `clientOrderId`. An implementation never sends the same
 * clientOrderId twice unless it has first confirmed the exchange does not know it; when it cannot tell
 * (the exchange stayed unreachable) it throws `OrderOutcomeUnknownError` and the caller reconciles later
 * with `fetchOrderByClientId`.
 */
export abstract class ExchangePort {
  /** e.g. 'binance', 'paper' */
  abstract readonly exchangeId: string;

  /** Load (or return the cached) markets. `reload` forces a refresh. */
  abstract loadMarkets(reload?: boolean): Promise<ReadonlyMap<string, ExchangeMarket>>;

  /** A loaded market. Throws UnknownSymbolError when unknown or markets are not loaded yet. */
  abstract market(symbol: string): ExchangeMarket;

  /**
   * The order exactly as it would be sent: amount truncated / prices rounded to the market's precision.
   * Throws InvalidOrderError (reason below_min_amount | below_min_cost | invalid_amount | invalid_price |
   * missing_price | invalid_client_order_id) without any network call. The OMS calls this before it writes the
   * order row, so the row holds what the exchange will receive.
   */
  abstract prepareOrder(req: CreateOrderRequest): CreateOrderRequest;

  abstract fetchBalance(): Promise<ExchangeBalance>;

  /** Open derivative positions (empty for spot-only exchanges). */
  abstract fetchPositions(symbols?: readonly string[]): Promise<ExchangePosition[]>;

  abstract createOrder(req: CreateOrderRequest): Promise<ExchangeOrder>;

  /**
   * Cancel by clientOrderId. Idempotent: an order that is already closed/canceled is returned as it is;
   * OrderNotFoundError only when the exchange does not know the order at all.
   */
  abstract cancelOrder(req: CancelOrderRequest): Promise<ExchangeOrder>;

  /** The order, or null when the exchange does not know this clientOrderId. */
  abstract fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeOrder | null>;

  abstract fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]>;

  /** Own executions, oldest first, from `since` (ms) inclusive. */
  abstract fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<ExchangeTrade[]>;

  /** Candles, oldest first. The last one may still be open. */
  abstract fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]>;

  abstract fetchTicker(symbol: string): Promise<ExchangeTicker>;

  /** Release resources held for this account (idempotent). */
  abstract close(): Promise<void>;
}
