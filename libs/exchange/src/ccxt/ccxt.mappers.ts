/**
 * ccxt unified structures -> our normalized types. Structural "like" types keep this file free of the ccxt
 * import (cheap to unit-test with plain objects). Derivative amounts: ccxt counts contracts; we count base
 * units, so amounts are multiplied by the market's contractSize here and divided before sending.
 */
import type { Candle } from '@tb/strategies';
import type {
  BalanceEntry,
  ExchangeBalance,
  ExchangeFee,
  ExchangeMarket,
  ExchangeOrder,
  ExchangeOrderStatus,
  ExchangePosition,
  ExchangeTicker,
  ExchangeTrade,
  PrecisionMode,
} from '../exchange.types';

type Num = number | string | null | undefined;

export interface CcxtMarketLike {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  settle?: string | null;
  type?: string;
  spot?: boolean;
  swap?: boolean;
  active?: boolean | null;
  contractSize?: Num;
  precision: { amount?: Num; price?: Num };
  limits: {
    amount?: { min?: Num; max?: Num };
    price?: { min?: Num; max?: Num };
    cost?: { min?: Num; max?: Num };
  };
  maker?: Num;
  taker?: Num;
}

export interface CcxtFeeLike {
  cost?: Num;
  currency?: string | null;
}

export interface CcxtTradeLike {
  id?: string;
  order?: string;
  timestamp?: number | null;
  symbol?: string;
  side?: string;
  takerOrMaker?: string | null;
  price?: Num;
  amount?: Num;
  cost?: Num;
  fee?: CcxtFeeLike | null;
  fees?: CcxtFeeLike[] | null;
}

export interface CcxtOrderLike {
  id?: string;
  clientOrderId?: string | null;
  timestamp?: number | null;
  lastUpdateTimestamp?: number | null;
  lastTradeTimestamp?: number | null;
  status?: string | null;
  symbol?: string;
  type?: string | null;
  side?: string | null;
  price?: Num;
  average?: Num;
  amount?: Num;
  filled?: Num;
  remaining?: Num;
  cost?: Num;
  triggerPrice?: Num;
  stopPrice?: Num;
  reduceOnly?: boolean | null;
  fee?: CcxtFeeLike | null;
  fees?: CcxtFeeLike[] | null;
  trades?: CcxtTradeLike[] | null;
}

export interface CcxtPositionLike {
  symbol?: string;
  side?: string | null;
  contracts?: Num;
  contractSize?: Num;
  entryPrice?: Num;
  markPrice?: Num;
  unrealizedPnl?: Num;
  leverage?: Num;
  liquidationPrice?: Num;
  marginMode?: string | null;
}

export interface CcxtTickerLike {
  symbol?: string;
  last?: Num;
  bid?: Num;
  ask?: Num;
  timestamp?: number | null;
}

/** ccxt precision modes: DECIMAL_PLACES = 2, SIGNIFICANT_DIGITS = 3, TICK_SIZE = 4 */
export function precisionModeOf(ccxtMode: number): PrecisionMode {
  return ccxtMode === 4 ? 'tick_size' : ccxtMode === 3 ? 'significant_digits' : 'decimal_places';
}

function num(x: Num): number | null {
  if (x === null || x === undefined || x === '') return null;
  const n = typeof x === 'number' ? x : Number(x);
  return Number.isFinite(n) ? n : null;
}

/** Multiply and strip binary noise (0.1 × 3 -> 0.3). */
function mul(a: number, b: number): number {
  return b === 1 ? a : Number((a * b).toPrecision(15));
}

/** A precision value as a step size: tick sizes pass through, decimal places p become 10^-p. */
export function precisionToStep(value: number, mode: PrecisionMode): number {
  if (mode === 'tick_size') return value;
  return Number((10 ** -value).toFixed(Math.max(0, Math.min(20, value))));
}

/** Only spot and perpetual-swap markets map to our MarketSpec; others return null. */
export function toExchangeMarket(m: CcxtMarketLike, ccxtPrecisionMode: number): ExchangeMarket | null {
  const isSpot = m.spot === true || m.type === 'spot';
  const isSwap = m.swap === true || m.type === 'swap';
  if (!isSpot && !isSwap) return null;
  const mode = precisionModeOf(ccxtPrecisionMode);
  const pAmount = num(m.precision.amount);
  const pPrice = num(m.precision.price);
  if (pAmount === null || pPrice === null) return null;
  const contractSize = isSwap ? num(m.contractSize) ?? 1 : 1;
  const amountStep = mul(precisionToStep(pAmount, mode), contractSize);
  const minAmountRaw = num(m.limits.amount?.min);
  const maxAmountRaw = num(m.limits.amount?.max);
  return {
    symbol: m.symbol,
    type: isSpot ? 'spot' : 'perp',
    tickSize: precisionToStep(pPrice, mode),
    amountStep,
    minAmount: minAmountRaw !== null && minAmountRaw > 0 ? mul(minAmountRaw, contractSize) : amountStep,
    minNotional: num(m.limits.cost?.min) ?? 0,
    id: m.id,
    base: m.base,
    quote: m.quote,
    settle: m.settle ?? null,
    active: m.active !== false,
    contractSize,
    maxAmount: maxAmountRaw !== null ? mul(maxAmountRaw, contractSize) : null,
    minPrice: num(m.limits.price?.min),
    maxPrice: num(m.limits.price?.max),
    maxNotional: num(m.limits.cost?.max),
    precision: { amount: pAmount, price: pPrice, mode },
    makerFee: num(m.maker),
    takerFee: num(m.taker),
  };
}

export function toOrderStatus(status: string | null | undefined, amount: number, filled: number): ExchangeOrderStatus {
  switch (status) {
    case 'open':
    case 'canceling':
      return 'open';
    case 'closed':
      return 'closed';
    case 'canceled':
    case 'cancelled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case null:
    case undefined:
    default:
      // some create responses carry no status: infer from the fill
      return amount > 0 && filled >= amount ? 'closed' : 'open';
  }
}

function feeList(fee: CcxtFeeLike | null | undefined, fees: CcxtFeeLike[] | null | undefined): ExchangeFee[] {
  const src = fees && fees.length > 0 ? fees : fee ? [fee] : [];
  const out: ExchangeFee[] = [];
  for (const f of src) {
    const cost = num(f.cost);
    if (cost !== null) out.push({ cost, currency: f.currency ?? null });
  }
  return out;
}

/** One fee when all share a currency (summed), otherwise the first. */
export function combineFees(fees: readonly ExchangeFee[]): ExchangeFee | null {
  if (fees.length === 0) return null;
  const cur = fees[0].currency;
  if (fees.every((f) => f.currency === cur)) {
    return { cost: Number(fees.reduce((s, f) => s + f.cost, 0).toPrecision(15)), currency: cur };
  }
  return fees[0];
}

export function toExchangeTrade(t: CcxtTradeLike, contractSize = 1, clientOrderId: string | null = null): ExchangeTrade {
  const fee = combineFees(feeList(t.fee, t.fees));
  const amount = mul(num(t.amount) ?? 0, contractSize);
  const price = num(t.price) ?? 0;
  return {
    id: String(t.id ?? ''),
    orderId: String(t.order ?? ''),
    clientOrderId,
    symbol: t.symbol ?? '',
    side: t.side === 'sell' ? 'sell' : 'buy',
    price,
    amount,
    cost: num(t.cost) ?? Number((amount * price).toPrecision(15)),
    fee: fee?.cost ?? 0,
    feeCurrency: fee?.currency ?? null,
    takerOrMaker: t.takerOrMaker === 'maker' ? 'maker' : t.takerOrMaker === 'taker' ? 'taker' : null,
    timestamp: t.timestamp ?? 0,
  };
}

/**
 * `knownClientOrderId` wins over what ccxt parsed: some responses carry another id in that field
 * (Binance's cancel answer puts the CANCEL request's id in `clientOrderId`).
 */
export function toExchangeOrder(o: CcxtOrderLike, contractSize = 1, knownClientOrderId?: string): ExchangeOrder {
  const amount = mul(num(o.amount) ?? 0, contractSize);
  const filled = mul(num(o.filled) ?? 0, contractSize);
  const remainingRaw = num(o.remaining);
  const remaining = remainingRaw !== null ? mul(remainingRaw, contractSize) : Math.max(0, Number((amount - filled).toPrecision(15)));
  const fees = feeList(o.fee, o.fees);
  const clientOrderId = knownClientOrderId ?? o.clientOrderId ?? '';
  const id = String(o.id ?? '');
  const price = num(o.price);
  return {
    id,
    clientOrderId,
    symbol: o.symbol ?? '',
    type: o.type ?? 'unknown',
    side: o.side === 'sell' ? 'sell' : 'buy',
    status: toOrderStatus(o.status, amount, filled),
    amount,
    filled,
    remaining,
    price: price !== null && price > 0 ? price : null,
    average: filled > 0 ? num(o.average) : null,
    triggerPrice: num(o.triggerPrice) || num(o.stopPrice) || null,
    reduceOnly: o.reduceOnly ?? null,
    fee: combineFees(fees),
    fees,
    // executions embedded in an order answer (Binance's FULL create response) carry neither time nor side:
    // they happened at the order's last trade (else its transaction) time, on the order's side
    trades: (o.trades ?? []).map((t) =>
      toExchangeTrade(
        { ...t, order: t.order ?? id, symbol: t.symbol ?? o.symbol, side: t.side ?? o.side ?? undefined, timestamp: t.timestamp ?? o.lastTradeTimestamp ?? o.timestamp ?? null },
        contractSize,
        clientOrderId,
      ),
    ),
    timestamp: o.timestamp ?? null,
    lastUpdateTimestamp: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? null,
  };
}

export function toExchangeBalance(b: Record<string, unknown>): ExchangeBalance {
  const free = (b.free ?? {}) as Record<string, Num>;
  const used = (b.used ?? {}) as Record<string, Num>;
  const total = (b.total ?? {}) as Record<string, Num>;
  const assets: Record<string, BalanceEntry> = {};
  for (const cur of new Set([...Object.keys(free), ...Object.keys(used), ...Object.keys(total)])) {
    const f = num(free[cur]) ?? 0;
    const u = num(used[cur]) ?? 0;
    const t = num(total[cur]) ?? Number((f + u).toPrecision(15));
    if (f === 0 && u === 0 && t === 0) continue;
    assets[cur] = { free: f, used: u, total: t };
  }
  return { timestamp: typeof b.timestamp === 'number' ? b.timestamp : null, assets };
}

export function toExchangePosition(p: CcxtPositionLike): ExchangePosition | null {
  const contracts = Math.abs(num(p.contracts) ?? 0);
  if (!(contracts > 0)) return null;
  const side = p.side === 'short' ? 'short' : p.side === 'long' ? 'long' : null;
  if (!side) return null;
  return {
    symbol: p.symbol ?? '',
    side,
    amount: mul(contracts, num(p.contractSize) ?? 1),
    contracts,
    entryPrice: num(p.entryPrice),
    markPrice: num(p.markPrice),
    unrealizedPnl: num(p.unrealizedPnl),
    leverage: num(p.leverage),
    liquidationPrice: num(p.liquidationPrice),
    marginMode: p.marginMode === 'cross' || p.marginMode === 'isolated' ? p.marginMode : null,
  };
}

export function toExchangeTicker(t: CcxtTickerLike, symbol: string): ExchangeTicker {
  return { symbol: t.symbol ?? symbol, last: num(t.last), bid: num(t.bid), ask: num(t.ask), timestamp: t.timestamp ?? null };
}

export function toCandles(rows: ReadonlyArray<ReadonlyArray<Num>>): Candle[] {
  const out: Candle[] = [];
  for (const r of rows) {
    out.push({ time: num(r[0]) ?? 0, open: num(r[1]) ?? 0, high: num(r[2]) ?? 0, low: num(r[3]) ?? 0, close: num(r[4]) ?? 0, volume: num(r[5]) ?? 0 });
  }
  return out;
}
