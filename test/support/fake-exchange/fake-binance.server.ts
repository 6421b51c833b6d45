/**
 * A local fake of Binance's spot REST API (plain node:http on 127.0.0.1) that the REAL ccxt `binance` client
 * can sign, send and parse against. Point every ccxt url at it with `fakeBinanceUrls(url)`.
 *
 * Served: GET /api/v3/ping, /time, /exchangeInfo (committed fixture), /ticker/price, /ticker/24hr, /klines
 * (fixture rows, optionally as of the server clock and with late publication), the public USDⓈ-M futures
 * /fapi/v1/time, /exchangeInfo (BTCUSDT perpetual) and /klines (the same rows) for ccxt binanceusdm,
 * and the signed /account, POST|DELETE|GET /order, /openOrders, /myTrades. Signed calls are checked like
 * Binance does: X-MBX-APIKEY, HMAC-SHA256 over query+body (-1022 on a bad signature), recvWindow (-1021).
 * Errors use Binance's real codes and messages so ccxt maps them to its own error classes.
 *
 * Controls for tests: `state.setPrice`, `state.fillOrder`, `faults.inject`, `faults.setRandom`; the same
 * over HTTP under /__control/* when the server runs in another process (see main.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { FaultPlan, type FaultDecision, type FaultKind, type RandomFaults, type ScriptedFault } from './fake-binance.faults';
import {
  FakeBinanceState,
  FakeExchangeError,
  fmt8,
  isOpen,
  parseSymbols,
  type FakeBinanceSnapshot,
  type FakeOrder,
  type FakeOrderSide,
  type FakeOrderType,
  type FakeTrade,
} from './fake-binance.state';

export const FAKE_BINANCE_EXCHANGE_INFO = resolve(__dirname, '..', '..', 'fixtures', 'exchange', 'binance-exchangeInfo.json');
/** USDⓈ-M futures market list (BTCUSDT perpetual) for the public /fapi endpoints that ccxt binanceusdm reads. */
export const FAKE_BINANCE_FUTURES_INFO = resolve(__dirname, '..', '..', 'fixtures', 'exchange', 'binanceusdm-exchangeInfo.json');

export interface FakeBinanceOptions {
  port?: number; // 0 (default) = any free port
  host?: string; // default 127.0.0.1
  apiKey?: string;
  secret?: string;
  /** free balances by asset, e.g. { USDT: 10_000, BTC: 0.5 } */
  balances?: Record<string, number>;
  /** last prices by Binance symbol id, e.g. { BTCUSDT: 60_000 } */
  prices?: Record<string, number>;
  exchangeInfoFile?: string;
  makerFee?: number;
  takerFee?: number;
  duplicateScope?: 'open' | 'all';
  /** server clock = now() + timeOffsetMs (to exercise client time sync) */
  timeOffsetMs?: number;
  now?: () => number;
  /** added before every answer */
  latencyMs?: number;
  /** write a JSON snapshot here after every state change (atomic rename) */
  stateFile?: string;
  /** start from this snapshot (e.g. read back from stateFile) */
  initialState?: FakeBinanceSnapshot;
  /** OHLCV served by /klines per symbol id: [openTime, open, high, low, close, volume] */
  klines?: Record<string, Array<[number, number, number, number, number, number]>>;
  /**
   * Serve only the `klines` rows that have opened by the server clock (the last one is the still-forming
   * candle, as on Binance); default false: every row, whatever its time.
   */
  klinesAsOfServerTime?: boolean;
}

export type KlineRow = [number, number, number, number, number, number];

export interface FakeBinance {
  readonly url: string;
  readonly port: number;
  readonly state: FakeBinanceState;
  readonly faults: FaultPlan;
  readonly apiKey: string;
  readonly secret: string;
  /** ccxt `urls.api` pointing every binance api family at this server */
  readonly ccxtUrls: Record<string, string>;
  /** shift the server clock (ms) */
  setTimeOffset(ms: number): void;
  /** replace the OHLCV rows served for one symbol id */
  setKlines(symbol: string, rows: KlineRow[]): void;
  /**
   * Late publication: the next `requests` /klines requests for `symbol` leave out every row that opened at or
   * after `fromOpenTime` (Infinity: never published). Counted per request, whatever its range.
   */
  withholdKlines(symbol: string, fromOpenTime: number, requests: number): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_API_KEY = 'fake-api-key-0123456789';
export const DEFAULT_FAKE_SECRET = 'fake-secret-abcdefghijklmnopqrstuvwxyz';

/** Every `urls.api` key ccxt's binance class knows, pointed at `base` with the right path prefix. */
export function fakeBinanceUrls(base: string): Record<string, string> {
  return {
    public: `${base}/api/v3`,
    private: `${base}/api/v3`,
    v1: `${base}/api/v1`,
    sapi: `${base}/sapi/v1`,
    sapiV2: `${base}/sapi/v2`,
    sapiV3: `${base}/sapi/v3`,
    sapiV4: `${base}/sapi/v4`,
    dapiPublic: `${base}/dapi/v1`,
    dapiPrivate: `${base}/dapi/v1`,
    dapiPrivateV2: `${base}/dapi/v2`,
    dapiData: `${base}/futures/data`,
    eapiPublic: `${base}/eapi/v1`,
    eapiPrivate: `${base}/eapi/v1`,
    fapiPublic: `${base}/fapi/v1`,
    fapiPublicV2: `${base}/fapi/v2`,
    fapiPublicV3: `${base}/fapi/v3`,
    fapiPrivate: `${base}/fapi/v1`,
    fapiPrivateV2: `${base}/fapi/v2`,
    fapiPrivateV3: `${base}/fapi/v3`,
    fapiData: `${base}/futures/data`,
    papi: `${base}/papi/v1`,
    papiV2: `${base}/papi/v2`,
  };
}

const SIGNED = new Set(['/api/v3/account', '/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/allOrders']);
const INTERVAL_MS: Record<string, number> = { '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000, '4h': 14_400_000, '1d': 86_400_000 };

export async function startFakeBinance(opts: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const apiKey = opts.apiKey ?? DEFAULT_FAKE_API_KEY;
  const secret = opts.secret ?? DEFAULT_FAKE_SECRET;
  const baseNow = opts.now ?? (() => Date.now());
  let timeOffset = opts.timeOffsetMs ?? 0;
  const serverNow = (): number => baseNow() + timeOffset;
  const exchangeInfo = JSON.parse(readFileSync(opts.exchangeInfoFile ?? FAKE_BINANCE_EXCHANGE_INFO, 'utf8')) as { symbols: Array<Record<string, unknown>> };
  const stateFile = opts.stateFile;
  const state: FakeBinanceState = new FakeBinanceState({
    symbols: parseSymbols(exchangeInfo),
    balances: opts.balances ?? { USDT: 10_000 },
    prices: opts.prices ?? { BTCUSDT: 60_000, ETHUSDT: 3_000, XRPUSDT: 0.5 },
    makerFee: opts.makerFee,
    takerFee: opts.takerFee,
    duplicateScope: opts.duplicateScope,
    now: serverNow,
    onMutation: () => persist(),
  });
  function persist(): void {
    if (!stateFile) return;
    const tmp = `${stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state.snapshot()));
    renameSync(tmp, stateFile);
  }
  if (opts.initialState) state.restore(opts.initialState);
  const st = state;
  const faults = new FaultPlan();
  const klineRows: Record<string, KlineRow[]> = { ...opts.klines };
  let futuresInfoCache: Record<string, unknown> | undefined;
  const futuresInfo = (): Record<string, unknown> => (futuresInfoCache ??= JSON.parse(readFileSync(FAKE_BINANCE_FUTURES_INFO, 'utf8')) as Record<string, unknown>);
  const withheld = new Map<string, { from: number; requests: number }>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      handle(req, res, body).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, { code: -1000, msg: `An unknown error occured while processing the request. ${String(e)}` });
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = u.pathname;
    if (path.startsWith('/__control/')) return control(method, path, body, res);

    const rawQuery = u.search.startsWith('?') ? u.search.slice(1) : '';
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
    if (body && (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    }
    const { signature, ...unsigned } = params;
    const key = `${method} ${path}`;
    st.recordCall(method, path, unsigned);
    if (opts.latencyMs) await sleep(opts.latencyMs);

    const fault = faults.next(key);
    if (fault && applyPreFault(fault, res, req)) return;

    let status = 200;
    let payload: unknown;
    try {
      if (SIGNED.has(path)) authenticate(req, rawQuery, body, signature, unsigned);
      payload = route(method, path, unsigned);
    } catch (e) {
      if (!(e instanceof FakeExchangeError)) throw e;
      status = e.httpStatus;
      payload = { code: e.binanceCode, msg: e.message };
    }
    if (fault && (fault.kind === 'lost-response' || fault.kind === 'lost-response-timeout')) {
      // processed, but the answer never arrives
      if (fault.kind === 'lost-response') req.socket.destroy();
      return;
    }
    send(res, status, payload);
  }

  /** Faults that stop the request before it is processed. Returns true when the request was consumed. */
  function applyPreFault(f: FaultDecision, res: ServerResponse, req: IncomingMessage): boolean {
    switch (f.kind) {
      case '429':
        send(res, 429, { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.' }, { 'Retry-After': String(f.retryAfterSec) });
        return true;
      case '418':
        send(res, 418, { code: -1003, msg: `Way too much request weight used; IP banned until ${serverNow() + f.retryAfterSec * 1000}. Please use WebSocket Streams for live updates to avoid bans.` }, { 'Retry-After': String(f.retryAfterSec) });
        return true;
      case '500':
      case '502':
      case '503':
      case '504':
        res.writeHead(Number(f.kind), { 'Content-Type': 'text/html' });
        res.end(`<html><body><h1>${f.kind} Server Error</h1></body></html>`);
        return true;
      case 'timeout':
        return true; // hold: never answer; the client aborts, or close() destroys the socket
      case 'reset':
        req.socket.destroy();
        return true;
      case 'lost-response':
      case 'lost-response-timeout':
        return false;
    }
  }

  function authenticate(req: IncomingMessage, rawQuery: string, body: string, signature: string | undefined, params: Record<string, string>): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key.length === 0) throw new FakeExchangeError(401, -2014, 'API-key format invalid.');
    if (key !== apiKey) throw new FakeExchangeError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    if (!signature) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    // totalParams = query string + request body, each without its signature parameter
    const strip = (s: string): string => s.replace(/(^|&)signature=[^&]*/, '').replace(/^&/, '');
    const total = strip(rawQuery) + strip(body);
    const expected = createHmac('sha256', secret).update(total).digest('hex');
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new FakeExchangeError(400, -1022, 'Signature for this request is not valid.');
    const ts = Number(params.timestamp);
    const recvWindow = Number(params.recvWindow ?? 5000);
    const now = serverNow();
    if (!Number.isFinite(ts)) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    if (ts >= now + 1000 || now - ts > recvWindow) throw new FakeExchangeError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  }

  function route(method: string, path: string, p: Record<string, string>): unknown {
    switch (`${method} ${path}`) {
      case 'GET /api/v3/ping':
        return {};
      case 'GET /api/v3/time':
        return { serverTime: serverNow() };
      case 'GET /api/v3/exchangeInfo':
        return { ...exchangeInfo, serverTime: serverNow() };
      case 'GET /api/v3/ticker/price':
        return p.symbol ? { symbol: p.symbol, price: fmt8(st.price(p.symbol)) } : [...st.prices].map(([symbol, x]) => ({ symbol, price: fmt8(x) }));
      case 'GET /api/v3/ticker/24hr':
      case 'GET /api/v3/ticker':
        return p.symbol ? ticker24h(p.symbol) : [...st.prices.keys()].map(ticker24h);
      case 'GET /api/v3/klines':
      case 'GET /fapi/v1/klines': // public futures candles: the same rows per symbol id
        return klines(p);
      case 'GET /fapi/v1/time':
        return { serverTime: serverNow() };
      case 'GET /fapi/v1/exchangeInfo':
        return { ...futuresInfo(), serverTime: serverNow() };
      case 'GET /api/v3/account':
        return account();
      case 'POST /api/v3/order':
        return newOrder(p);
      case 'GET /api/v3/order':
        return orderJson(findOrder(p));
      case 'DELETE /api/v3/order': {
        const o = findOrder(p, -2011, 'Unknown order sent.');
        st.cancelOrder(o.symbol, o.clientOrderId);
        return { ...orderJson(o), origClientOrderId: o.clientOrderId, clientOrderId: `cancel-${o.orderId}`, transactTime: serverNow() };
      }
      case 'GET /api/v3/openOrders':
        return st.openOrders(p.symbol).map(orderJson);
      case 'GET /api/v3/allOrders':
        return [...st.orders.values()].filter((o) => o.symbol === p.symbol).map(orderJson);
      case 'GET /api/v3/myTrades':
        return myTrades(p);
      default:
        throw new FakeExchangeError(404, -1000, `Unknown endpoint ${method} ${path}`);
    }
  }

  function findOrder(p: Record<string, string>, code = -2013, msg = 'Order does not exist.'): FakeOrder {
    if (!p.symbol) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    let o: FakeOrder | undefined;
    if (p.origClientOrderId) o = st.orderByClientId(p.symbol, p.origClientOrderId);
    else if (p.orderId) o = st.orders.get(Number(p.orderId));
    else throw new FakeExchangeError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    if (!o || o.symbol !== p.symbol) throw new FakeExchangeError(400, code, msg);
    return o;
  }

  function newOrder(p: Record<string, string>): unknown {
    const side = p.side as FakeOrderSide;
    const type = p.type as FakeOrderType;
    if (side !== 'BUY' && side !== 'SELL') throw new FakeExchangeError(400, -1117, 'Invalid side.');
    if (!['LIMIT', 'MARKET', 'LIMIT_MAKER', 'STOP_LOSS', 'TAKE_PROFIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'].includes(type)) throw new FakeExchangeError(400, -1116, 'Invalid orderType.');
    if (!p.newClientOrderId) throw new FakeExchangeError(400, -1102, 'this fake requires newClientOrderId');
    const o = st.createOrder({
      symbol: p.symbol,
      side,
      type,
      timeInForce: p.timeInForce,
      quantity: p.quantity,
      quoteOrderQty: p.quoteOrderQty,
      price: p.price,
      stopPrice: p.stopPrice,
      newClientOrderId: p.newClientOrderId,
    });
    const respType = p.newOrderRespType ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    if (respType === 'ACK') return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
    const base = { ...orderJson(o), transactTime: o.time };
    if (respType === 'RESULT') return base;
    return { ...base, fills: st.tradesOf(o.orderId).map((t) => ({ price: fmt8(t.price), qty: fmt8(t.qty), commission: fmt8(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id })) };
  }

  function orderJson(o: FakeOrder): Record<string, unknown> {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt8(o.price),
      origQty: fmt8(o.origQty),
      executedQty: fmt8(o.executedQty),
      cummulativeQuoteQty: fmt8(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: fmt8(o.stopPrice),
      icebergQty: fmt8(0),
      time: o.time,
      updateTime: o.updateTime,
      isWorking: isOpen(o) && (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER' || o.triggered),
      workingTime: o.time,
      origQuoteOrderQty: fmt8(0),
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  function tradeJson(t: FakeTrade): Record<string, unknown> {
    return {
      symbol: t.symbol,
      id: t.id,
      orderId: t.orderId,
      orderListId: -1,
      price: fmt8(t.price),
      qty: fmt8(t.qty),
      quoteQty: fmt8(t.quoteQty),
      commission: fmt8(t.commission),
      commissionAsset: t.commissionAsset,
      time: t.time,
      isBuyer: t.side === 'BUY',
      isMaker: t.isMaker,
      isBestMatch: true,
    };
  }

  function myTrades(p: Record<string, string>): unknown {
    if (!p.symbol) throw new FakeExchangeError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    let list = st.trades.filter((t) => t.symbol === p.symbol);
    if (p.orderId) list = list.filter((t) => t.orderId === Number(p.orderId));
    if (p.fromId) list = list.filter((t) => t.id >= Number(p.fromId));
    if (p.startTime) list = list.filter((t) => t.time >= Number(p.startTime));
    if (p.endTime) list = list.filter((t) => t.time <= Number(p.endTime));
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    return list.slice(0, limit).map(tradeJson);
  }

  function account(): unknown {
    return {
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: serverNow(),
      accountType: 'SPOT',
      balances: [...st.balances].map(([asset, b]) => ({ asset, free: fmt8(b.free), locked: fmt8(b.locked) })),
      permissions: ['SPOT'],
      uid: 354937868,
    };
  }

  function ticker24h(symbol: string): unknown {
    const px = st.price(symbol);
    const now = serverNow();
    return {
      symbol,
      priceChange: fmt8(0),
      priceChangePercent: '0.000',
      weightedAvgPrice: fmt8(px),
      prevClosePrice: fmt8(px),
      lastPrice: fmt8(px),
      lastQty: fmt8(0.001),
      bidPrice: fmt8(px),
      bidQty: fmt8(1),
      askPrice: fmt8(px),
      askQty: fmt8(1),
      openPrice: fmt8(px),
      highPrice: fmt8(px),
      lowPrice: fmt8(px),
      volume: fmt8(0),
      quoteVolume: fmt8(0),
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 1,
      lastId: 1,
      count: 1,
    };
  }

  function klines(p: Record<string, string>): unknown {
    const symbol = p.symbol;
    const step = INTERVAL_MS[p.interval];
    if (!step) throw new FakeExchangeError(400, -1120, 'Invalid interval.');
    const limit = Math.min(Number(p.limit ?? 500), 1000);
    let rows: KlineRow[] | undefined = klineRows[symbol];
    if (rows && opts.klinesAsOfServerTime) {
      const now = serverNow();
      rows = rows.filter((r) => r[0] <= now);
    }
    const hold = withheld.get(symbol);
    if (rows && hold && hold.requests > 0) {
      hold.requests -= 1;
      rows = rows.filter((r) => r[0] < hold.from);
    }
    if (!rows) {
      // flat candles at the current price ending with the current (open) one
      const px = st.price(symbol);
      const end = p.endTime ? Number(p.endTime) : serverNow();
      const lastOpen = Math.floor(end / step) * step;
      const first = p.startTime ? Math.ceil(Number(p.startTime) / step) * step : lastOpen - (limit - 1) * step;
      rows = [];
      for (let t = first; t <= lastOpen && rows.length < limit; t += step) rows.push([t, px, px, px, px, 0]);
    }
    const from = p.startTime ? Number(p.startTime) : -Infinity;
    const to = p.endTime ? Number(p.endTime) : Infinity;
    const sel = rows.filter((r) => r[0] >= from && r[0] <= to);
    const out = p.startTime ? sel.slice(0, limit) : sel.slice(-limit);
    return out.map((r) => [r[0], fmt8(r[1]), fmt8(r[2]), fmt8(r[3]), fmt8(r[4]), fmt8(r[5]), r[0] + step - 1, fmt8(r[4] * r[5]), 1, fmt8(0), fmt8(0), '0']);
  }

  function control(method: string, path: string, body: string, res: ServerResponse): void {
    try {
      const b = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
      switch (`${method} ${path}`) {
        case 'GET /__control/state':
          return send(res, 200, st.snapshot());
        case 'POST /__control/price':
          st.setPrice(String(b.symbol), Number(b.price));
          return send(res, 200, { ok: true });
        case 'POST /__control/fill':
          return send(res, 200, tradeJson(st.fillOrder(String(b.clientOrderId), b.amount === undefined ? undefined : Number(b.amount), b.price === undefined ? undefined : Number(b.price))));
        case 'POST /__control/balance':
          st.setBalance(String(b.asset), Number(b.free), Number(b.locked ?? 0));
          return send(res, 200, { ok: true });
        case 'POST /__control/fault':
          faults.inject(b as unknown as ScriptedFault);
          return send(res, 200, { ok: true });
        case 'POST /__control/random-faults':
          faults.setRandom(b.probability === undefined ? null : (b as unknown as RandomFaults));
          return send(res, 200, { ok: true });
        case 'POST /__control/clear-faults':
          faults.clear();
          return send(res, 200, { ok: true });
        case 'POST /__control/klines':
          klineRows[String(b.symbol)] = b.rows as KlineRow[];
          return send(res, 200, { ok: true });
        case 'POST /__control/withhold-klines':
          withheld.set(String(b.symbol), { from: Number(b.fromOpenTime), requests: b.requests === null ? Infinity : Number(b.requests) });
          return send(res, 200, { ok: true });
        case 'POST /__control/time-offset':
          timeOffset = Number(b.ms);
          return send(res, 200, { ok: true });
        default:
          return send(res, 404, { error: `unknown control ${method} ${path}` });
      }
    } catch (e) {
      send(res, 400, { error: String(e) });
    }
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  persist();

  return {
    url,
    port,
    state: st,
    faults,
    apiKey,
    secret,
    ccxtUrls: fakeBinanceUrls(url),
    setTimeOffset: (ms: number) => {
      timeOffset = ms;
    },
    setKlines: (symbol: string, rows: KlineRow[]) => {
      klineRows[symbol] = rows;
    },
    withholdKlines: (symbol: string, fromOpenTime: number, requests: number) => {
      withheld.set(symbol, { from: fromOpenTime, requests });
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { FaultKind, FakeBinanceSnapshot };
