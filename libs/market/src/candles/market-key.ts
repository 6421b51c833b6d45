import { parseTimeframe, type Timeframe } from '@tb/strategies';

/** Identifies one candle series: exchange id (ccxt, lower case), unified symbol and timeframe. */
export interface MarketKey {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

const EXCHANGE_RE = /^[a-z][a-z0-9_-]{1,31}$/;
/** ccxt unified symbols: `BTC/USDT` spot, `BTC/USDT:USDT` perpetual, optional `-YYMMDD…` expiry suffix. */
const SYMBOL_RE = /^[A-Z0-9][A-Z0-9._-]{0,23}\/[A-Z0-9][A-Z0-9._-]{0,23}(?::[A-Z0-9][A-Z0-9._-]{0,23})?$/;

/** Validates and normalises a market key (exchange lower-cased, symbol upper-cased, timeframe parsed). */
export function parseMarketKey(input: { exchange: string; symbol: string; timeframe: string }): MarketKey {
  const exchange = input.exchange.trim().toLowerCase();
  const symbol = input.symbol.trim().toUpperCase();
  if (!EXCHANGE_RE.test(exchange)) throw new RangeError(`invalid exchange id "${input.exchange}" (a ccxt id such as binance, bybit, okx)`);
  if (!SYMBOL_RE.test(symbol)) throw new RangeError(`invalid symbol "${input.symbol}" (ccxt unified form: BTC/USDT or BTC/USDT:USDT)`);
  return { exchange, symbol, timeframe: parseTimeframe(input.timeframe) };
}
