import {
  AuthenticationError,
  ExchangeError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  RateLimitedError,
  UnknownSymbolError,
  redactSecrets,
  type ExchangeErrorDetails,
} from '../exchange.errors';

/**
 * The names of an error's class and its ancestors, e.g. ['RequestTimeout', 'NetworkError',
 * 'OperationFailed', 'BaseError', 'Error']. Classifying by name (not instanceof) keeps working when both the
 * CommonJS and the ESM build of ccxt end up loaded in one process.
 */
export function errorClassChain(e: unknown): string[] {
  const names: string[] = [];
  let proto: unknown = e !== null && typeof e === 'object' ? Object.getPrototypeOf(e) : null;
  while (proto && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) names.push(ctor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/** Parse a Retry-After header value (seconds or an HTTP date) to ms. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

export interface MapCcxtErrorContext {
  readonly exchangeId: string;
  /** literal secrets to scrub from messages */
  readonly secrets: readonly (string | undefined)[];
  /** Retry-After of the failed response in ms, when known */
  readonly retryAfterMs?: number | null;
  readonly nowMs: number;
  readonly operation?: string;
}

/**
 * Map a ccxt (or transport) error to our ExchangeError family. Retryable: network errors, timeouts, 5xx,
 * maintenance, rate limits, clock skew (InvalidNonce) and ccxt's OperationFailed ("try again" answers such as
 * Binance -1001). Never retryable: funds, invalid orders, auth, unknown symbols, anything else.
 */
export function mapCcxtError(e: unknown, ctx: MapCcxtErrorContext): ExchangeError {
  if (e instanceof ExchangeError) return e;
  const chain = errorClassChain(e);
  const has = (n: string): boolean => chain.includes(n);
  const raw = e instanceof Error ? e.message : String(e);
  const message = redactSecrets(raw, ctx.secrets);
  const source = chain[0] ?? typeof e;
  const details: ExchangeErrorDetails = { exchangeId: ctx.exchangeId, source, ...(ctx.operation ? { operation: ctx.operation } : {}) };

  if (has('InsufficientFunds')) return new InsufficientFundsError(message, details);
  if (has('OrderNotFound')) return new OrderNotFoundError(message, details);
  if (has('DuplicateOrderId') || (has('InvalidOrder') && /duplicat/i.test(raw))) return new InvalidOrderError(message, 'duplicate_client_order_id', details);
  if (has('InvalidOrder')) return new InvalidOrderError(message, 'rejected', details);
  if (has('BadSymbol')) return new UnknownSymbolError(message, details);
  if (has('AuthenticationError')) return new AuthenticationError(message, details);
  if (has('NotSupported')) return new NotSupportedError(message, details);
  if (has('DDoSProtection') || has('RateLimitExceeded')) {
    let retryAfter = ctx.retryAfterMs ?? null;
    const until = /banned until (\d{10,})/i.exec(raw);
    if (retryAfter === null && until) retryAfter = Math.max(0, Number(until[1]) - ctx.nowMs);
    return new RateLimitedError(message, retryAfter, details);
  }
  if (has('InvalidNonce')) return new ExchangeUnavailableError(message, { ...details, clockSkew: true });
  if (has('NetworkError') || has('OperationFailed')) return new ExchangeUnavailableError(message, details);
  // a bare fetch TypeError / socket error that escaped ccxt is a network failure too
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|UND_ERR_)/.test(code)) return new ExchangeUnavailableError(message, details);
  return new ExchangeError(message, details);
}
