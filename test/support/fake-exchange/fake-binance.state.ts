/**
 * The fake Binance spot exchange's book-keeping: orders, trades, balances and a trivial matching rule
 * (market orders fill at the current price, limit orders fill when the price trades through them, stop
 * orders trigger and then fill as market). No HTTP here; `fake-binance.server.ts` speaks the REST dialect.
 *
 * Amounts are kept as numbers rounded to 8 decimals (Binance's own precision) and rendered as
 * '0.00100000'-style strings on the wire, exactly like the real API.
 */

export type FakeOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
export type FakeOrderSide = 'BUY' | 'SELL';
export type FakeOrderType = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT_LIMIT';

export interface FakeOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: FakeOrderSide;
  type: FakeOrderType;
  timeInForce: string;
  price: number; // limit price (0 for market)
  stopPrice: number; // 0 when none
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: FakeOrderStatus;
  /** for STOP_LOSS / TAKE_PROFIT: whether the trigger fired */
  triggered: boolean;
  time: number;
  updateTime: number;
  /** quote amount still locked by a resting BUY (or base amount for a SELL) */
  locked: number;
}

export interface FakeTrade {
  id: number;
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: FakeOrderSide;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isMaker: boolean;
}

export interface FakeBalance {
  free: number;
  locked: number;
}

export interface SymbolInfo {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: number;
  minPrice: number;
  maxPrice: number;
  stepSize: number;
  minQty: number;
  maxQty: number;
  minNotional: number;
  /** 'NOTIONAL' (current) or 'MIN_NOTIONAL' (legacy) — named in the -1013 error message */
  notionalFilter: string;
}

/** A JSON snapshot of the whole exchange, written to disk by the CLI after every mutation. */
export interface FakeBinanceSnapshot {
  nextOrderId: number;
  nextTradeId: number;
  orders: FakeOrder[];
  trades: FakeTrade[];
  balances: Record<string, FakeBalance>;
  prices: Record<string, number>;
  createAttemptsByClientOrderId: Record<string, number>;
  ordersCreatedByClientOrderId: Record<string, number>;
  callsByEndpoint: Record<string, number>;
}

export class FakeExchangeError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly binanceCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const r8 = (x: number): number => Math.round(x * 1e8) / 1e8;
export const fmt8 = (x: number): string => r8(x).toFixed(8);

/** Number of decimals of a step such as 0.001 -> 3. */
function decimalsOf(step: number): number {
  const s = step.toFixed(8).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 || dot === s.length - 1 ? 0 : s.length - dot - 1;
}

/** True when `x` is an exact multiple of `step` (within 1e-9 of a step). */
function isMultiple(x: number, step: number): boolean {
  if (!(step > 0)) return true;
  const units = x / step;
  return Math.abs(units - Math.round(units)) < 1e-9;
}

/** Count the decimals actually written in a wire value ('0.00100' -> 5, '12' -> 0). */
export function wireDecimals(raw: string): number {
  const dot = raw.indexOf('.');
  return dot < 0 ? 0 : raw.length - dot - 1;
}

export function parseSymbols(exchangeInfo: { symbols: Array<Record<string, unknown>> }): Map<string, SymbolInfo> {
  const out = new Map<string, SymbolInfo>();
  for (const s of exchangeInfo.symbols) {
    const filters = (s.filters as Array<Record<string, string>>) ?? [];
    const byType = new Map(filters.map((f) => [f.filterType, f]));
    const pf = byType.get('PRICE_FILTER') ?? {};
    const lot = byType.get('LOT_SIZE') ?? {};
    const notional = byType.get('NOTIONAL') ?? byType.get('MIN_NOTIONAL') ?? {};
    out.set(String(s.symbol), {
      symbol: String(s.symbol),
      baseAsset: String(s.baseAsset),
      quoteAsset: String(s.quoteAsset),
      tickSize: Number(pf.tickSize ?? 0),
      minPrice: Number(pf.minPrice ?? 0),
      maxPrice: Number(pf.maxPrice ?? 0),
      stepSize: Number(lot.stepSize ?? 0),
      minQty: Number(lot.minQty ?? 0),
      maxQty: Number(lot.maxQty ?? 0),
      minNotional: Number(notional.minNotional ?? 0),
      notionalFilter: byType.has('NOTIONAL') ? 'NOTIONAL' : 'MIN_NOTIONAL',
    });
  }
  return out;
}

export interface NewOrderInput {
  symbol: string;
  side: FakeOrderSide;
  type: FakeOrderType;
  timeInForce?: string;
  /** raw wire strings, to validate precision the way Binance does */
  quantity?: string;
  quoteOrderQty?: string;
  price?: string;
  stopPrice?: string;
  newClientOrderId: string;
}

export interface FakeBinanceStateOptions {
  symbols: Map<string, SymbolInfo>;
  balances?: Record<string, number>;
  prices?: Record<string, number>;
  makerFee?: number;
  takerFee?: number;
  /** 'open': a clientOrderId may be reused once its order is closed (real Binance); 'all': never. */
  duplicateScope?: 'open' | 'all';
  now: () => number;
  onMutation?: () => void;
}

export class FakeBinanceState {
  readonly symbols: Map<string, SymbolInfo>;
  readonly orders = new Map<number, FakeOrder>();
  readonly trades: FakeTrade[] = [];
  readonly balances = new Map<string, FakeBalance>();
  readonly prices = new Map<string, number>();
  /** every POST /order that reached the matching engine (accepted or rejected), per clientOrderId */
  readonly createAttemptsByClientOrderId = new Map<string, number>();
  /** orders actually created, per clientOrderId — the "no duplicates" assertion counts these */
  readonly ordersCreatedByClientOrderId = new Map<string, number>();
  /** requests received per 'METHOD /path' (faulted ones included) */
  readonly callsByEndpoint = new Map<string, number>();
  /** every request received, in order (params parsed, signature removed) */
  readonly requests: Array<{ method: string; path: string; params: Record<string, string>; time: number }> = [];
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private readonly makerFee: number;
  private readonly takerFee: number;
  private readonly duplicateScope: 'open' | 'all';
  private readonly now: () => number;
  private readonly onMutation: () => void;

  constructor(opts: FakeBinanceStateOptions) {
    this.symbols = opts.symbols;
    this.makerFee = opts.makerFee ?? 0.001;
    this.takerFee = opts.takerFee ?? 0.001;
    this.duplicateScope = opts.duplicateScope ?? 'open';
    this.now = opts.now;
    this.onMutation = opts.onMutation ?? (() => undefined);
    for (const [asset, free] of Object.entries(opts.balances ?? {})) this.balances.set(asset, { free, locked: 0 });
    for (const [sym, p] of Object.entries(opts.prices ?? {})) this.prices.set(sym, p);
  }

  // ---------------------------------------------------------------- queries

  orderByClientId(symbol: string, clientOrderId: string): FakeOrder | undefined {
    // the newest order wins when an id was reused after its first order closed
    let found: FakeOrder | undefined;
    for (const o of this.orders.values()) if (o.symbol === symbol && o.clientOrderId === clientOrderId) found = o;
    return found;
  }

  openOrders(symbol?: string): FakeOrder[] {
    return [...this.orders.values()].filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol));
  }

  tradesOf(orderId: number): FakeTrade[] {
    return this.trades.filter((t) => t.orderId === orderId);
  }

  balance(asset: string): FakeBalance {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: 0, locked: 0 };
      this.balances.set(asset, b);
    }
    return b;
  }

  price(symbol: string): number {
    const p = this.prices.get(symbol);
    if (p === undefined) throw new FakeExchangeError(400, -1121, 'Invalid symbol.');
    return p;
  }

  // ---------------------------------------------------------------- commands

  setBalance(asset: string, free: number, locked = 0): void {
    this.balances.set(asset, { free: r8(free), locked: r8(locked) });
    this.onMutation();
  }

  /** Move the price; crossing limit orders fill (as makers, at their limit), stops trigger. */
  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
    for (const o of this.openOrders(symbol)) {
      if (o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT') {
        const fire = o.type === 'STOP_LOSS' ? (o.side === 'SELL' ? price <= o.stopPrice : price >= o.stopPrice) : o.side === 'SELL' ? price >= o.stopPrice : price <= o.stopPrice;
        if (fire) {
          o.triggered = true;
          this.execute(o, o.origQty - o.executedQty, price, false);
        }
      } else if (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER') {
        const crosses = o.side === 'BUY' ? price <= o.price : price >= o.price;
        if (crosses) this.execute(o, o.origQty - o.executedQty, o.price, true);
      }
    }
    this.onMutation();
  }

  /** Fill (part of) an open order by clientOrderId — a control for tests. Defaults: the rest, at its limit price. */
  fillOrder(clientOrderId: string, amount?: number, price?: number): FakeTrade {
    const o = [...this.orders.values()].reverse().find((x) => x.clientOrderId === clientOrderId && isOpen(x));
    if (!o) throw new Error(`fake-binance: no open order with clientOrderId ${clientOrderId}`);
    const qty = amount ?? o.origQty - o.executedQty;
    const px = price ?? (o.price > 0 ? o.price : this.price(o.symbol));
    const t = this.execute(o, qty, px, true);
    this.onMutation();
    return t;
  }

  recordCall(method: string, path: string, params: Record<string, string>): void {
    const key = `${method} ${path}`;
    this.callsByEndpoint.set(key, (this.callsByEndpoint.get(key) ?? 0) + 1);
    this.requests.push({ method, path, params, time: this.now() });
  }

  createOrder(input: NewOrderInput): FakeOrder {
    const cid = input.newClientOrderId;
    this.createAttemptsByClientOrderId.set(cid, (this.createAttemptsByClientOrderId.get(cid) ?? 0) + 1);
    try {
      return this.createOrderInner(input);
    } finally {
      this.onMutation();
    }
  }

  cancelOrder(symbol: string, clientOrderId: string): FakeOrder {
    const o = this.orderByClientId(symbol, clientOrderId);
    if (!o || !isOpen(o)) throw new FakeExchangeError(400, -2011, 'Unknown order sent.');
    o.status = 'CANCELED';
    o.updateTime = this.now();
    this.releaseLock(o);
    this.onMutation();
    return o;
  }

  snapshot(): FakeBinanceSnapshot {
    return {
      nextOrderId: this.nextOrderId,
      nextTradeId: this.nextTradeId,
      orders: [...this.orders.values()].map((o) => ({ ...o })),
      trades: this.trades.map((t) => ({ ...t })),
      balances: Object.fromEntries([...this.balances].map(([k, v]) => [k, { ...v }])),
      prices: Object.fromEntries(this.prices),
      createAttemptsByClientOrderId: Object.fromEntries(this.createAttemptsByClientOrderId),
      ordersCreatedByClientOrderId: Object.fromEntries(this.ordersCreatedByClientOrderId),
      callsByEndpoint: Object.fromEntries(this.callsByEndpoint),
    };
  }

  restore(s: FakeBinanceSnapshot): void {
    this.nextOrderId = s.nextOrderId;
    this.nextTradeId = s.nextTradeId;
    this.orders.clear();
    for (const o of s.orders) this.orders.set(o.orderId, { ...o });
    this.trades.length = 0;
    this.trades.push(...s.trades.map((t) => ({ ...t })));
    this.balances.clear();
    for (const [k, v] of Object.entries(s.balances)) this.balances.set(k, { ...v });
    this.prices.clear();
    for (const [k, v] of Object.entries(s.prices)) this.prices.set(k, v);
    this.createAttemptsByClientOrderId.clear();
    for (const [k, v] of Object.entries(s.createAttemptsByClientOrderId)) this.createAttemptsByClientOrderId.set(k, v);
    this.ordersCreatedByClientOrderId.clear();
    for (const [k, v] of Object.entries(s.ordersCreatedByClientOrderId)) this.ordersCreatedByClientOrderId.set(k, v);
    this.callsByEndpoint.clear();
    for (const [k, v] of Object.entries(s.callsByEndpoint)) this.callsByEndpoint.set(k, v);
  }

  // ---------------------------------------------------------------- internals

  private createOrderInner(input: NewOrderInput): FakeOrder {
    const info = this.symbols.get(input.symbol);
    if (!info) throw new FakeExchangeError(400, -1121, 'Invalid symbol.');
    const existing = this.orderByClientId(input.symbol, input.newClientOrderId);
    if (existing && (this.duplicateScope === 'all' || isOpen(existing))) {
      throw new FakeExchangeError(400, -2010, 'Duplicate order sent.');
    }
    const current = this.price(input.symbol);
    const needsPrice = input.type === 'LIMIT' || input.type === 'LIMIT_MAKER' || input.type.endsWith('_LIMIT');
    const needsStop = input.type.startsWith('STOP_LOSS') || input.type.startsWith('TAKE_PROFIT');

    let qty: number;
    if (input.quantity !== undefined) {
      qty = Number(input.quantity);
      if (!(qty > 0)) throw new FakeExchangeError(400, -1013, 'Invalid quantity.');
      if (wireDecimals(input.quantity) > 8) throw new FakeExchangeError(400, -1111, 'Parameter \'quantity\' has too much precision.');
      if (qty < info.minQty || qty > info.maxQty || !isMultiple(qty, info.stepSize)) throw new FakeExchangeError(400, -1013, 'Filter failure: LOT_SIZE');
    } else if (input.quoteOrderQty !== undefined && input.type === 'MARKET') {
      qty = r8(Math.floor(Number(input.quoteOrderQty) / current / info.stepSize + 1e-9) * info.stepSize);
    } else {
      throw new FakeExchangeError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    }

    let price = 0;
    if (needsPrice) {
      if (input.price === undefined) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
      price = Number(input.price);
      if (wireDecimals(input.price) > 8) throw new FakeExchangeError(400, -1111, 'Parameter \'price\' has too much precision.');
      if (price < info.minPrice || price > info.maxPrice || !isMultiple(price, info.tickSize)) throw new FakeExchangeError(400, -1013, 'Filter failure: PRICE_FILTER');
    }
    let stopPrice = 0;
    if (needsStop) {
      if (input.stopPrice === undefined) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
      stopPrice = Number(input.stopPrice);
      if (!isMultiple(stopPrice, info.tickSize)) throw new FakeExchangeError(400, -1013, 'Filter failure: PRICE_FILTER');
    }
    const refPrice = needsPrice ? price : current;
    if (r8(qty * refPrice) < info.minNotional) throw new FakeExchangeError(400, -1013, `Filter failure: ${info.notionalFilter}`);

    // funds: a BUY locks quote (at its limit, or the current price for market/stop), a SELL locks base
    const lockAsset = input.side === 'BUY' ? info.quoteAsset : info.baseAsset;
    const lockAmount = input.side === 'BUY' ? r8(qty * (needsPrice ? price : current)) : qty;
    const bal = this.balance(lockAsset);
    if (bal.free + 1e-12 < lockAmount) throw new FakeExchangeError(400, -2010, 'Account has insufficient balance for requested action.');

    const t = this.now();
    const o: FakeOrder = {
      orderId: this.nextOrderId++,
      clientOrderId: input.newClientOrderId,
      symbol: input.symbol,
      side: input.side,
      type: input.type,
      timeInForce: needsPrice && input.type !== 'LIMIT_MAKER' ? input.timeInForce ?? 'GTC' : 'GTC',
      price,
      stopPrice,
      origQty: qty,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      triggered: false,
      time: t,
      updateTime: t,
      locked: lockAmount,
    };
    bal.free = r8(bal.free - lockAmount);
    bal.locked = r8(bal.locked + lockAmount);
    this.orders.set(o.orderId, o);
    this.ordersCreatedByClientOrderId.set(o.clientOrderId, (this.ordersCreatedByClientOrderId.get(o.clientOrderId) ?? 0) + 1);

    if (o.type === 'MARKET') {
      this.execute(o, qty, current, false);
    } else if (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER') {
      const crosses = o.side === 'BUY' ? current <= price : current >= price;
      if (crosses && o.type === 'LIMIT_MAKER') {
        this.releaseLock(o);
        this.orders.delete(o.orderId);
        this.ordersCreatedByClientOrderId.set(o.clientOrderId, (this.ordersCreatedByClientOrderId.get(o.clientOrderId) ?? 1) - 1);
        throw new FakeExchangeError(400, -2010, 'Order would immediately match and take.');
      }
      if (crosses) this.execute(o, qty, current, false); // a marketable limit fills at the better (current) price
      if (isOpen(o) && input.timeInForce !== undefined && input.timeInForce !== 'GTC') {
        o.status = 'EXPIRED'; // IOC / FOK leftovers
        this.releaseLock(o);
      }
    }
    return o;
  }

  /** Execute `qty` of order `o` at `price`: balances move, a trade is recorded, the status follows. */
  private execute(o: FakeOrder, qty: number, price: number, isMaker: boolean): FakeTrade {
    const info = this.symbols.get(o.symbol)!;
    const left = r8(o.origQty - o.executedQty);
    const q = r8(Math.min(qty, left));
    if (!(q > 0)) throw new Error(`fake-binance: nothing left to fill on ${o.clientOrderId}`);
    const quote = r8(q * price);
    const feeRate = isMaker ? this.makerFee : this.takerFee;
    const base = this.balance(info.baseAsset);
    const quoteBal = this.balance(info.quoteAsset);
    let commission: number;
    let commissionAsset: string;
    if (o.side === 'BUY') {
      // spend quote out of the lock; receive base minus the fee (Binance charges the received asset)
      const lockShare = o.price > 0 && o.type !== 'MARKET' ? r8(q * o.price) : quote;
      const spendFromLock = Math.min(lockShare, o.locked);
      quoteBal.locked = r8(quoteBal.locked - spendFromLock);
      o.locked = r8(o.locked - spendFromLock);
      quoteBal.free = r8(quoteBal.free + spendFromLock - quote); // a better fill price refunds the difference
      commission = r8(q * feeRate);
      commissionAsset = info.baseAsset;
      base.free = r8(base.free + q - commission);
    } else {
      base.locked = r8(base.locked - q);
      o.locked = r8(o.locked - q);
      commission = r8(quote * feeRate);
      commissionAsset = info.quoteAsset;
      quoteBal.free = r8(quoteBal.free + quote - commission);
    }
    o.executedQty = r8(o.executedQty + q);
    o.cummulativeQuoteQty = r8(o.cummulativeQuoteQty + quote);
    o.updateTime = this.now();
    o.status = o.executedQty + 1e-12 >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
    if (o.status === 'FILLED') this.releaseLock(o);
    const t: FakeTrade = {
      id: this.nextTradeId++,
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price,
      qty: q,
      quoteQty: quote,
      commission,
      commissionAsset,
      time: this.now(),
      isMaker,
    };
    this.trades.push(t);
    return t;
  }

  private releaseLock(o: FakeOrder): void {
    if (!(o.locked > 0)) return;
    const info = this.symbols.get(o.symbol)!;
    const b = this.balance(o.side === 'BUY' ? info.quoteAsset : info.baseAsset);
    b.locked = r8(b.locked - o.locked);
    b.free = r8(b.free + o.locked);
    o.locked = 0;
  }
}

export function isOpen(o: FakeOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

export { decimalsOf };
