import { inspect } from 'node:util';
import type { Candle, Timeframe } from '@tb/strategies';
import {
  AuthenticationError,
  ExchangeError,
  InvalidOrderError,
  OrderNotFoundError,
  OrderOutcomeUnknownError,
  RateLimitedError,
  UnknownSymbolError,
} from '../exchange.errors';
import { ExchangePort } from '../exchange.port';
import { checkOrder } from '../order-checks';
import type {
  CancelOrderRequest,
  CreateOrderRequest,
  ExchangeBalance,
  ExchangeCredentials,
  ExchangeId,
  ExchangeMarket,
  ExchangeOrder,
  ExchangePosition,
  ExchangeTicker,
  ExchangeTrade,
} from '../exchange.types';
import { isSupportedExchangeId } from '../exchange.types';
import { DEFAULT_RETRY_OPTIONS, withRetry, type RetryHooks, type RetryOptions } from '../retry/retry.policy';
import { CcxtClientRegistry, defaultCcxtClientRegistry, clientFingerprint, type CcxtClientEntry } from './ccxt-client.registry';
import { mapCcxtError, parseRetryAfter } from './ccxt-error.mapper';
import { dialectFor, type CcxtDialect } from './ccxt.dialects';
import { loadCcxt, type CcxtClient } from './ccxt.loader';
import {
  toCandles,
  toExchangeBalance,
  toExchangeMarket,
  toExchangeOrder,
  toExchangePosition,
  toExchangeTicker,
  toExchangeTrade,
  type CcxtMarketLike,
  type CcxtOrderLike,
  type CcxtPositionLike,
  type CcxtTickerLike,
  type CcxtTradeLike,
} from './ccxt.mappers';

/** Minimal logger (Nest's Logger fits). Messages carry ids, never secrets. */
export interface ExchangeLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface CcxtExchangeConfig {
  readonly exchangeId: ExchangeId;
  /** our account id (the registry shares one ccxt instance per exchange + account) */
  readonly accountId: string;
  /** already decrypted; omit for public data only */
  readonly credentials?: ExchangeCredentials;
  /** override ccxt `urls.api` entries (tests point them at a local fake) */
  readonly urls?: Readonly<Record<string, string>>;
  readonly sandbox?: boolean;
  /** merged over the dialect's defaults into ccxt `options` */
  readonly ccxtOptions?: Readonly<Record<string, unknown>>;
  /** per-request timeout (default 10 s) */
  readonly timeoutMs?: number;
  /** override ccxt's rateLimit (ms between weight-1 requests); leave unset in production */
  readonly rateLimitMs?: number;
  /** market cache lifetime (default 1 h) */
  readonly marketsTtlMs?: number;
  /** server-time re-sync interval (default 30 min) */
  readonly timeSyncIntervalMs?: number;
  /**
   * After a create whose outcome is unknown (timeout, reset, 5xx), wait at least this long after sending
   * before the lookup that decides whether to resend. Past the exchange's recvWindow a late copy of the
   * request can no longer be accepted, so "not found" is final. Default: recvWindow + 1 s, or 5 s.
   */
  readonly ambiguousCreateGraceMs?: number;
  /** send positionSide params (hedge mode accounts) */
  readonly hedgeMode?: boolean;
  readonly retry?: Partial<RetryOptions>;
  readonly hooks?: RetryHooks;
  readonly registry?: CcxtClientRegistry;
  readonly clock?: () => number;
  readonly logger?: ExchangeLogger;
}

const MAX_ORDER_ID_CACHE = 10_000;

/** ExchangePort over ccxt's unified REST API (okx, binance, binanceusdm, bybit, bitget, upbit). */
export class CcxtExchange extends ExchangePort {
  readonly exchangeId: ExchangeId;
  readonly accountId: string;
  private readonly entry: CcxtClientEntry;
  private readonly client: CcxtClient;
  private readonly dialect: CcxtDialect;
  private readonly retryOptions: RetryOptions;
  private readonly hooks: RetryHooks;
  private readonly clock: () => number;
  private readonly marketsTtlMs: number;
  private readonly timeSyncIntervalMs: number;
  private readonly graceMs: number;
  private readonly hedgeMode: boolean;
  private readonly secrets: readonly (string | undefined)[];
  private readonly registry: CcxtClientRegistry;
  private readonly logger?: ExchangeLogger;
  private closed = false;

  constructor(config: CcxtExchangeConfig) {
    super();
    if (!isSupportedExchangeId(config.exchangeId)) throw new ExchangeError(`unsupported exchange "${String(config.exchangeId)}"`);
    this.exchangeId = config.exchangeId;
    this.accountId = config.accountId;
    this.dialect = dialectFor(config.exchangeId);
    this.retryOptions = { ...DEFAULT_RETRY_OPTIONS, ...config.retry };
    this.hooks = config.hooks ?? {};
    this.clock = config.clock ?? (() => Date.now());
    this.marketsTtlMs = config.marketsTtlMs ?? 3_600_000;
    this.timeSyncIntervalMs = config.timeSyncIntervalMs ?? 1_800_000;
    this.hedgeMode = config.hedgeMode ?? false;
    this.logger = config.logger;
    const creds = config.credentials;
    this.secrets = [creds?.apiKey, creds?.secret, creds?.password];
    const options = { ...this.dialect.defaultOptions, ...config.ccxtOptions };
    const recvWindow = typeof options.recvWindow === 'number' ? options.recvWindow : this.dialect.recvWindowMs;
    this.graceMs = config.ambiguousCreateGraceMs ?? (recvWindow !== null ? recvWindow + 1_000 : 5_000);
    this.registry = config.registry ?? defaultCcxtClientRegistry;
    // identity only: the first creator's options / timeouts win for the shared instance
    const fingerprint = clientFingerprint([config.exchangeId, creds?.apiKey, creds?.secret, creds?.password, config.urls, config.sandbox]);
    this.entry = this.registry.acquire(config.exchangeId, config.accountId, fingerprint, () => {
      const ccxt = loadCcxt();
      const Ctor = (ccxt as unknown as Record<string, new (cfg: Record<string, unknown>) => CcxtClient>)[config.exchangeId];
      const client = new Ctor({
        apiKey: creds?.apiKey,
        secret: creds?.secret,
        password: creds?.password,
        enableRateLimit: true,
        timeout: config.timeoutMs ?? 10_000,
        ...(config.rateLimitMs !== undefined ? { rateLimit: config.rateLimitMs } : {}),
        options: { ...options, adjustForTimeDifference: false }, // we sync time ourselves (all exchanges)
      });
      if (config.sandbox) client.setSandboxMode(true);
      if (config.urls) client.urls = { ...client.urls, api: { ...(client.urls.api as Record<string, string>), ...config.urls } } as typeof client.urls;
      return client;
    });
    this.client = this.entry.client;
  }

  // ------------------------------------------------------------------ markets

  async loadMarkets(reload = false): Promise<ReadonlyMap<string, ExchangeMarket>> {
    const e = this.entry;
    const fresh = e.markets !== null && this.clock() - e.marketsLoadedAt < this.marketsTtlMs;
    if (fresh && !reload) return e.markets!;
    if (e.marketsLoading) return e.marketsLoading;
    e.marketsLoading = (async () => {
      try {
        await this.syncTime(false);
        const raw = await this.retrying('loadMarkets', () => this.client.loadMarkets(e.markets !== null));
        const map = new Map<string, ExchangeMarket>();
        const mode = Number(this.client.precisionMode);
        for (const m of Object.values(raw as Record<string, CcxtMarketLike>)) {
          const mapped = toExchangeMarket(m, mode);
          if (mapped) map.set(mapped.symbol, mapped);
        }
        e.markets = map;
        e.marketsLoadedAt = this.clock();
        return map;
      } finally {
        e.marketsLoading = null;
      }
    })();
    return e.marketsLoading;
  }

  market(symbol: string): ExchangeMarket {
    const m = this.entry.markets?.get(symbol);
    if (!m) {
      throw new UnknownSymbolError(
        this.entry.markets ? `${this.exchangeId} has no market ${symbol}` : `${this.exchangeId} markets are not loaded yet (call loadMarkets first)`,
        { exchangeId: this.exchangeId, symbol },
      );
    }
    return m;
  }

  prepareOrder(req: CreateOrderRequest): CreateOrderRequest {
    const ctx = { exchangeId: this.exchangeId, symbol: req.symbol, clientOrderId: req.clientOrderId };
    if (!this.dialect.clientOrderIdPattern.test(req.clientOrderId)) {
      throw new InvalidOrderError(`clientOrderId "${req.clientOrderId}" is not accepted by ${this.exchangeId} (${String(this.dialect.clientOrderIdPattern)})`, 'invalid_client_order_id', ctx);
    }
    const m = this.market(req.symbol);
    const { amount, price, triggerPrice } = checkOrder(
      req,
      m,
      {
        amount: (raw) => {
          try {
            return this.toBase(Number(this.client.amountToPrecision(req.symbol, raw / m.contractSize)), m);
          } catch {
            return 0; // ccxt refuses an amount that truncates to zero
          }
        },
        price: (raw) => {
          try {
            return Number(this.client.priceToPrecision(req.symbol, raw));
          } catch {
            return 0;
          }
        },
      },
      ctx,
    );
    return {
      ...req,
      amount,
      ...(price !== undefined ? { price } : {}),
      ...(triggerPrice !== undefined ? { triggerPrice } : {}),
    };
  }

  // ------------------------------------------------------------------ account

  async fetchBalance(): Promise<ExchangeBalance> {
    await this.ready();
    const b = await this.retrying('fetchBalance', () => this.client.fetchBalance());
    return toExchangeBalance(b as unknown as Record<string, unknown>);
  }

  async fetchPositions(symbols?: readonly string[]): Promise<ExchangePosition[]> {
    if (!this.dialect.hasPositions) return [];
    await this.ready();
    const list = await this.retrying('fetchPositions', () => this.client.fetchPositions(symbols ? [...symbols] : undefined));
    const out: ExchangePosition[] = [];
    for (const p of list as unknown as CcxtPositionLike[]) {
      const mapped = toExchangePosition(p);
      if (mapped) out.push(mapped);
    }
    return out;
  }

  // ------------------------------------------------------------------ orders

  async createOrder(req: CreateOrderRequest): Promise<ExchangeOrder> {
    await this.ready();
    const order = this.prepareOrder(req);
    const m = this.market(order.symbol);
    const isTrigger = order.type === 'stop_market';
    const ccxtType = order.type === 'limit' ? 'limit' : 'market';
    const params: Record<string, unknown> = { clientOrderId: order.clientOrderId };
    if (isTrigger) Object.assign(params, this.dialect.triggerParams(order.triggerPrice!, order.side, m.type === 'perp'));
    if (order.reduceOnly && m.type === 'perp') params.reduceOnly = true;
    if (order.positionSide && m.type === 'perp' && this.hedgeMode) Object.assign(params, this.dialect.positionSideParams(order.positionSide));
    if (order.timeInForce === 'PO') params.postOnly = true;
    else if (order.timeInForce && order.type === 'limit') params.timeInForce = order.timeInForce;
    const contracts = Number((order.amount / m.contractSize).toPrecision(15));
    const send = (): Promise<unknown> => this.client.createOrder(order.symbol, ccxtType, order.side, contracts, order.type === 'limit' ? order.price : undefined, { ...params });

    let mayExist = false; // a previous attempt may have reached the exchange
    let sentAt = 0;
    return withRetry(
      async () => {
        if (mayExist) {
          // never resend blindly: first ask the exchange whether the lost attempt created the order
          const wait = sentAt + this.graceMs - this.clock();
          if (wait > 0) await this.sleep(wait);
          let found: ExchangeOrder | null;
          try {
            found = await this.lookupOnce(order.symbol, order.clientOrderId, isTrigger);
          } catch (e) {
            throw this.mapError(e, 'fetchOrderByClientId');
          }
          if (found) {
            this.logger?.warn(`${this.exchangeId} createOrder ${order.clientOrderId}: response lost, adopted the order the exchange created (${found.id})`);
            return found;
          }
          mayExist = false;
        }
        try {
          sentAt = this.clock();
          const raw = (await send()) as CcxtOrderLike;
          return this.toOrder(raw, m.contractSize, order.clientOrderId);
        } catch (e) {
          const err = this.mapError(e, 'createOrder');
          if (err instanceof InvalidOrderError && err.reason === 'duplicate_client_order_id') {
            // the exchange already has this clientOrderId (an earlier attempt got through): adopt it
            const found = await this.fetchOrderByClientId(order.symbol, order.clientOrderId);
            if (found) return found;
            throw err;
          }
          if (!err.retryable) throw err;
          const rejectedUnprocessed = err instanceof RateLimitedError || err.details.clockSkew === true;
          if (err.details.clockSkew === true) await this.syncTime(true).catch(() => undefined);
          mayExist = mayExist || !rejectedUnprocessed;
          throw err;
        }
      },
      this.retryOptions,
      {
        sleep: (ms) => this.sleep(ms),
        random: this.hooks.random,
        onRetry: (attempt, err, delay) => {
          this.logger?.warn(
            `${this.exchangeId} createOrder ${order.clientOrderId} attempt ${attempt} failed (${err.code}: ${err.details.source ?? ''}), ${mayExist ? 'will look it up before any resend' : 'retrying'}`,
          );
          this.hooks.onRetry?.(attempt, err, delay);
        },
        // the last attempt may have reached the exchange: say so, so that nobody resends (the reconciler decides)
        giveUp: (err) => (mayExist ? this.outcomeUnknown(order.clientOrderId, err) : err),
      },
    );
  }

  async cancelOrder(req: CancelOrderRequest): Promise<ExchangeOrder> {
    await this.ready();
    const m = this.market(req.symbol);
    let raw: CcxtOrderLike;
    try {
      raw = (await this.retrying('cancelOrder', () => this.client.cancelOrder(undefined as unknown as string, req.symbol, { clientOrderId: req.clientOrderId }))) as CcxtOrderLike;
    } catch (e) {
      if (!(e instanceof ExchangeError) || e.retryable || e instanceof AuthenticationError) throw e;
      // an already filled / canceled order is "unknown" to a cancel on several exchanges (Binance -2011),
      // and a retried cancel whose first attempt got through lands here too: report the order's state
      const found = await this.fetchOrderByClientId(req.symbol, req.clientOrderId);
      if (found && found.status !== 'open') return found;
      if (!found && !(e instanceof OrderNotFoundError)) throw new OrderNotFoundError(e.message, e.details);
      throw e;
    }
    const o = this.toOrder(raw, m.contractSize, req.clientOrderId);
    // some exchanges answer a cancel with a bare acknowledgement: read the final state then
    if (o.status === 'canceled' && o.amount > 0) return o;
    return (await this.fetchOrderByClientId(req.symbol, req.clientOrderId)) ?? o;
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeOrder | null> {
    await this.ready();
    this.market(symbol);
    return this.retrying('fetchOrderByClientId', async () => {
      const plain = await this.lookupOnce(symbol, clientOrderId, false);
      if (plain) return plain;
      // trigger orders live in a separate book on some exchanges
      return this.dialect.id === 'binance' || this.dialect.id === 'upbit' || this.dialect.id === 'bitget' ? null : this.lookupOnce(symbol, clientOrderId, true);
    });
  }

  async fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]> {
    await this.ready();
    const list = await this.retrying('fetchOpenOrders', () => this.client.fetchOpenOrders(symbol));
    return (list as unknown as CcxtOrderLike[]).map((o) => this.toOrder(o, this.contractSizeOf(o.symbol)));
  }

  async fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<ExchangeTrade[]> {
    await this.ready();
    const m = this.market(symbol);
    const list = await this.retrying('fetchMyTrades', () => this.client.fetchMyTrades(symbol, since, limit));
    const trades = (list as unknown as CcxtTradeLike[]).map((t) => toExchangeTrade(t, m.contractSize, this.entry.clientIdByOrderId.get(String(t.order ?? '')) ?? null));
    return trades.sort((a, b) => a.timestamp - b.timestamp || compareIds(a.id, b.id));
  }

  // ------------------------------------------------------------------ market data

  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    await this.loadMarkets();
    const rows = await this.retrying('fetchOHLCV', () => this.client.fetchOHLCV(symbol, timeframe, since, limit));
    return toCandles(rows as unknown as Array<Array<number | string | null>>);
  }

  async fetchTicker(symbol: string): Promise<ExchangeTicker> {
    await this.loadMarkets();
    const t = await this.retrying('fetchTicker', () => this.client.fetchTicker(symbol));
    return toExchangeTicker(t as unknown as CcxtTickerLike, symbol);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registry.release(this.entry);
  }

  /** Never print the ccxt instance (it holds the credentials). */
  toJSON(): Record<string, string> {
    return { exchangeId: this.exchangeId, accountId: this.accountId };
  }

  [inspect.custom](): string {
    return `CcxtExchange(${this.exchangeId}:${this.accountId})`;
  }

  // ------------------------------------------------------------------ internals

  private async ready(): Promise<void> {
    await this.loadMarkets();
    await this.syncTime(false);
  }

  /** Keep the signing clock aligned with the exchange (Binance -1021 "outside of the recvWindow"). */
  private async syncTime(force: boolean): Promise<void> {
    const e = this.entry;
    if (!this.client.has.fetchTime) return;
    if (!force && e.timeSyncedAt !== 0 && this.clock() - e.timeSyncedAt < this.timeSyncIntervalMs) return;
    await this.retrying('loadTimeDifference', () => this.client.loadTimeDifference());
    e.timeSyncedAt = this.clock();
  }

  private async lookupOnce(symbol: string, clientOrderId: string, trigger: boolean): Promise<ExchangeOrder | null> {
    const raw = await this.call('fetchOrderByClientId', () => this.dialect.fetchByClientId(this.client, symbol, clientOrderId, trigger));
    return raw ? this.toOrder(raw, this.contractSizeOf(symbol), clientOrderId) : null;
  }

  private toOrder(raw: CcxtOrderLike, contractSize: number, knownClientOrderId?: string): ExchangeOrder {
    const o = toExchangeOrder(raw, contractSize, knownClientOrderId);
    if (o.id && o.clientOrderId) {
      const cache = this.entry.clientIdByOrderId;
      if (cache.size >= MAX_ORDER_ID_CACHE) cache.delete(cache.keys().next().value as string);
      cache.set(o.id, o.clientOrderId);
    }
    return o;
  }

  private contractSizeOf(symbol: string | undefined): number {
    return (symbol && this.entry.markets?.get(symbol)?.contractSize) || 1;
  }

  private toBase(contracts: number, m: ExchangeMarket): number {
    return m.contractSize === 1 ? contracts : Number((contracts * m.contractSize).toPrecision(15));
  }

  /** One ccxt call, errors mapped (no retry). */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.mapError(e, operation);
    }
  }

  /** A read (or an idempotent write) retried on retryable errors with backoff + jitter. */
  private retrying<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await fn();
        } catch (e) {
          const err = this.mapError(e, operation);
          if (err.details.clockSkew === true) await this.syncTime(true).catch(() => undefined);
          throw err;
        }
      },
      this.retryOptions,
      {
        ...this.hooks,
        onRetry: (attempt, err, delay) => {
          this.logger?.warn(`${this.exchangeId} ${operation} attempt ${attempt} failed (${err.code}), retrying in ${delay} ms`);
          this.hooks.onRetry?.(attempt, err, delay);
        },
      },
    );
  }

  private mapError(e: unknown, operation: string): ExchangeError {
    const headers = this.client.last_response_headers as Record<string, string> | undefined;
    return mapCcxtError(e, {
      exchangeId: this.exchangeId,
      secrets: this.secrets,
      retryAfterMs: parseRetryAfter(headers?.['Retry-After'], this.clock()),
      nowMs: this.clock(),
      operation,
    });
  }

  private outcomeUnknown(clientOrderId: string, cause: ExchangeError): OrderOutcomeUnknownError {
    return new OrderOutcomeUnknownError(
      `${this.exchangeId} createOrder ${clientOrderId}: the exchange stayed unreachable; the order may or may not exist — reconcile by clientOrderId, do not resend (${cause.code})`,
      clientOrderId,
      { exchangeId: this.exchangeId, source: cause.details.source },
    );
  }

  private sleep(ms: number): Promise<void> {
    return (this.hooks.sleep ?? ((x: number) => new Promise<void>((r) => setTimeout(r, x))))(ms);
  }
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
}

