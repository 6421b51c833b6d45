import type { ExchangeMarket } from '../exchange.types';

/**
 * The paper exchange's built-in markets: Binance's filters for the spot pairs and their USDT-M perpetuals
 * (tick = PRICE_FILTER.tickSize, step = LOT_SIZE.stepSize, minNotional = NOTIONAL / MIN_NOTIONAL), and
 * Binance's default VIP0 fee rates (spot 0.1% / 0.1%, USDT-M 0.02% maker / 0.05% taker).
 * A static table on purpose: a paper account must work offline and must never change its rules under a
 * running backtest / paper bot.
 */
interface Row {
  readonly base: string;
  readonly type: 'spot' | 'perp';
  readonly tickSize: number;
  readonly amountStep: number;
  readonly minNotional: number;
  readonly maxAmount: number;
}

const ROWS: readonly Row[] = [
  { base: 'BTC', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minNotional: 5, maxAmount: 9000 },
  { base: 'ETH', type: 'spot', tickSize: 0.01, amountStep: 0.0001, minNotional: 5, maxAmount: 9000 },
  { base: 'SOL', type: 'spot', tickSize: 0.01, amountStep: 0.001, minNotional: 5, maxAmount: 90000 },
  { base: 'BTC', type: 'perp', tickSize: 0.1, amountStep: 0.001, minNotional: 100, maxAmount: 1000 },
  { base: 'ETH', type: 'perp', tickSize: 0.01, amountStep: 0.001, minNotional: 20, maxAmount: 10000 },
  { base: 'SOL', type: 'perp', tickSize: 0.01, amountStep: 1, minNotional: 5, maxAmount: 1000000 },
];

function toMarket(r: Row): ExchangeMarket {
  const perp = r.type === 'perp';
  return Object.freeze({
    symbol: perp ? `${r.base}/USDT:USDT` : `${r.base}/USDT`,
    type: r.type,
    tickSize: r.tickSize,
    amountStep: r.amountStep,
    minAmount: r.amountStep,
    minNotional: r.minNotional,
    id: `${r.base}USDT`,
    base: r.base,
    quote: 'USDT',
    settle: perp ? 'USDT' : null,
    active: true,
    contractSize: 1,
    maxAmount: r.maxAmount,
    minPrice: r.tickSize,
    maxPrice: null,
    maxNotional: null,
    precision: Object.freeze({ amount: r.amountStep, price: r.tickSize, mode: 'tick_size' as const }),
    makerFee: perp ? 0.0002 : 0.001,
    takerFee: perp ? 0.0005 : 0.001,
  });
}

/** Every market the paper exchange trades, by ccxt unified symbol. */
export const PAPER_MARKETS: ReadonlyMap<string, ExchangeMarket> = new Map(ROWS.map((r) => {
  const m = toMarket(r);
  return [m.symbol, m] as const;
}));
