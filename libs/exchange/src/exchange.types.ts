import type { MarketSpec, OrderSide, OrderType, PositionSide } from '@tb/strategies';

/** Exchanges reachable through ccxt's unified API (docs/architecture.md §5). */
export const SUPPORTED_EXCHANGE_IDS = ['okx', 'binance', 'binanceusdm', 'bybit', 'bitget', 'upbit'] as const;
export type ExchangeId = (typeof SUPPORTED_EXCHANGE_IDS)[number];

export function isSupportedExchangeId(id: string): id is ExchangeId {
  return (SUPPORTED_EXCHANGE_IDS as readonly string[]).includes(id);
}

/** Decrypted API credentials. Lives only inside an adapter; never logged, never in an error message. */
export interface ExchangeCredentials {
  readonly apiKey: string;
  readonly secret: string;
  /** okx / bitget passphrase */
  readonly password?: string;
}

export type PrecisionMode = 'tick_size' | 'decimal_places' | 'significant_digits';

/**
 * A market as the exchange defines it: the strategy's `MarketSpec` (tickSize, amountStep, minAmount,
 * minNotional — always tick SIZES, whatever ccxt's precision mode) plus what the OMS and the paper
 * exchange need. Amounts are in base units (`contractSize` converts contracts for derivatives).
 */
export interface ExchangeMarket extends MarketSpec {
  readonly id: string; // the exchange's own id, e.g. 'BTCUSDT'
  readonly base: string;
  readonly quote: string;
  readonly settle: string | null;
  readonly active: boolean;
  readonly contractSize: number; // 1 for spot
  readonly maxAmount: number | null;
  readonly minPrice: number | null;
  readonly maxPrice: number | null;
  readonly maxNotional: number | null;
  /** ccxt's raw precision values and mode (for ccxt's own amountToPrecision / priceToPrecision) */
  readonly precision: { readonly amount: number; readonly price: number; readonly mode: PrecisionMode };
  readonly makerFee: number | null;
  readonly takerFee: number | null;
}

export interface BalanceEntry {
  readonly free: number;
  readonly used: number;
  readonly total: number;
}

export interface ExchangeBalance {
  readonly timestamp: number | null;
  /** by currency code, e.g. USDT; zero balances omitted */
  readonly assets: Readonly<Record<string, BalanceEntry>>;
}

export interface ExchangePosition {
  readonly symbol: string;
  readonly side: PositionSide;
  /** base units (contracts × contractSize), always positive */
  readonly amount: number;
  readonly contracts: number;
  readonly entryPrice: number | null;
  readonly markPrice: number | null;
  readonly unrealizedPnl: number | null;
  readonly leverage: number | null;
  readonly liquidationPrice: number | null;
  readonly marginMode: 'cross' | 'isolated' | null;
}

export type ExchangeOrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

export interface ExchangeFee {
  readonly cost: number;
  readonly currency: string | null;
}

/** One execution. `fee` is in `feeCurrency` (Binance spot charges the RECEIVED asset: base on a buy). */
export interface ExchangeTrade {
  readonly id: string;
  readonly orderId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: number;
  readonly amount: number; // base units
  readonly cost: number; // quote units
  readonly fee: number;
  readonly feeCurrency: string | null;
  readonly takerOrMaker: 'taker' | 'maker' | null;
  readonly timestamp: number;
}

export interface ExchangeOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly type: string; // 'market' | 'limit' | exchange-specific (e.g. 'stop_loss')
  readonly side: OrderSide;
  readonly status: ExchangeOrderStatus;
  readonly amount: number;
  readonly filled: number;
  readonly remaining: number;
  /** limit price; null for market orders */
  readonly price: number | null;
  /** average fill price; null until something filled */
  readonly average: number | null;
  readonly triggerPrice: number | null;
  readonly reduceOnly: boolean | null;
  /** the total fee when all fees share one currency, otherwise the first; see `fees` */
  readonly fee: ExchangeFee | null;
  readonly fees: readonly ExchangeFee[];
  /** executions the exchange returned with the order (may be empty: use fetchMyTrades) */
  readonly trades: readonly ExchangeTrade[];
  /** the exchange placed it on its own to close a position it liquidated (no client of ours sent it) */
  readonly liquidation?: boolean;
  readonly timestamp: number | null;
  readonly lastUpdateTimestamp: number | null;
}

export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'PO';

export interface CreateOrderRequest {
  readonly symbol: string;
  readonly type: OrderType; // 'market' | 'limit' | 'stop_market'
  readonly side: OrderSide;
  /** base units; truncated to the market's amount precision before sending */
  readonly amount: number;
  /** limit price (type 'limit'); rounded to the tick before sending */
  readonly price?: number;
  /** trigger price (type 'stop_market') */
  readonly triggerPrice?: number;
  readonly reduceOnly?: boolean;
  /** hedge-mode position side for derivatives; ignored on spot */
  readonly positionSide?: PositionSide;
  readonly timeInForce?: TimeInForce;
  /** our idempotency key on the exchange; see `clientOrderIdRule` */
  readonly clientOrderId: string;
  /**
   * Reference price to check the minimum notional of market / stop orders (e.g. the last close).
   * Without it, a market order's notional is checked only by the exchange.
   */
  readonly referencePrice?: number;
}

export interface CancelOrderRequest {
  readonly symbol: string;
  readonly clientOrderId: string;
}

export interface ExchangeTicker {
  readonly symbol: string;
  readonly last: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly timestamp: number | null;
}
