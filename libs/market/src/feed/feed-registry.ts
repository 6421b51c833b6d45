import { TIMEFRAMES, isPerpSymbol } from '@tb/strategies';
import type { MarketKey } from '../candles/market-key';

/** Exchange ids whose public candles paper accounts follow: spot symbols on binance, perpetuals on binanceusdm. */
export const PAPER_FEED_EXCHANGES = { spot: 'binance', perpetual: 'binanceusdm' } as const;

/**
 * The exchange whose public OHLCV feeds a bot of an account on `accountExchange`: a paper account follows
 * binance (spot, `BTC/USDT`) or binanceusdm (perpetual, `BTC/USDT:USDT`); a real account its own exchange.
 */
export function feedExchangeId(accountExchange: string, symbol: string): string {
  if (accountExchange !== 'paper') return accountExchange;
  return isPerpSymbol(symbol) ? PAPER_FEED_EXCHANGES.perpetual : PAPER_FEED_EXCHANGES.spot;
}

const TF_ORDER = new Map<string, number>(TIMEFRAMES.map((tf, i) => [tf, i]));

/** Deterministic feed order: exchange, then symbol, then timeframe from short to long. */
export function compareMarketKeys(a: MarketKey, b: MarketKey): number {
  if (a.exchange !== b.exchange) return a.exchange < b.exchange ? -1 : 1;
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return (TF_ORDER.get(a.timeframe) ?? 0) - (TF_ORDER.get(b.timeframe) ?? 0);
}

/**
 * One feed per (exchange, symbol, timeframe) from the keys the running bots need (any number of bots may
 * share one), sorted with `compareMarketKeys`. Returns fresh plain keys (extra fields of the input dropped).
 */
export function distinctFeeds(needs: Iterable<MarketKey>): MarketKey[] {
  const byId = new Map<string, MarketKey>();
  for (const k of needs) {
    const id = `${k.exchange}\u0000${k.symbol}\u0000${k.timeframe}`;
    if (!byId.has(id)) byId.set(id, { exchange: k.exchange, symbol: k.symbol, timeframe: k.timeframe });
  }
  return [...byId.values()].sort(compareMarketKeys);
}
