import type { Candle } from '../../core/candle';
import type { MarketSpec } from '../../core/contract';
import { readCandlesCsv } from '../../../../../test/support/candles';

/** Binance-like instrument specs for the scenarios (tick, step and minimums as the exchange lists them). */
export const BTC_SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 };
export const BTC_PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
export const ETH_SPOT: MarketSpec = { symbol: 'ETH/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 5 };

let btc: Candle[] | null = null;
let eth: Candle[] | null = null;

/** BTC/USDT 1h candles of 2024 (committed fixture). */
export function btc1h(): Candle[] {
  return (btc ??= readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv'));
}

/** ETH/USDT 5m candles of January 2021 (committed fixture). */
export function eth5m(): Candle[] {
  return (eth ??= readCandlesCsv('test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv'));
}

/** Index of the candle opening at `iso` (UTC). */
export function indexAt(candles: readonly Candle[], iso: string): number {
  const t = Date.parse(iso);
  const i = candles.findIndex((c) => c.time === t);
  if (i < 0) throw new Error(`no candle at ${iso}`);
  return i;
}

/** Independent rounding helpers for expectations (plain decimal arithmetic, not core/precision). */
export function round(x: number, decimals: number): number {
  return Number((Math.round(x * 10 ** decimals) / 10 ** decimals).toFixed(decimals));
}
export function floorTo(x: number, decimals: number): number {
  return Number((Math.floor(x * 10 ** decimals + 1e-9) / 10 ** decimals).toFixed(decimals));
}
export function ceilTo(x: number, decimals: number): number {
  return Number((Math.ceil(x * 10 ** decimals - 1e-9) / 10 ** decimals).toFixed(decimals));
}
