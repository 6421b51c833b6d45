/**
 * Exchange failures with stable codes. `retryable` tells callers (OMS, job processors) whether the same call
 * may succeed later; adapters already retried retryable failures before throwing them.
 * Messages never contain API keys, secrets or request signatures (see `redactSecrets`).
 */
export type ExchangeErrorCode =
  | 'EXCHANGE_ERROR'
  | 'EXCHANGE_UNAVAILABLE'
  | 'EXCHANGE_RATE_LIMITED'
  | 'EXCHANGE_INSUFFICIENT_FUNDS'
  | 'EXCHANGE_INVALID_ORDER'
  | 'EXCHANGE_ORDER_NOT_FOUND'
  | 'EXCHANGE_AUTHENTICATION_FAILED'
  | 'EXCHANGE_UNKNOWN_SYMBOL'
  | 'EXCHANGE_NOT_SUPPORTED'
  | 'EXCHANGE_ORDER_OUTCOME_UNKNOWN';

export interface ExchangeErrorDetails {
  readonly exchangeId?: string;
  /** the ccxt error class that caused this, e.g. 'RequestTimeout' */
  readonly source?: string;
  readonly [key: string]: unknown;
}

export class ExchangeError extends Error {
  readonly code: ExchangeErrorCode = 'EXCHANGE_ERROR';
  readonly retryable: boolean = false;
  constructor(
    message: string,
    readonly details: ExchangeErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Network failure, timeout, 5xx, maintenance, clock skew. Retryable. */
export class ExchangeUnavailableError extends ExchangeError {
  override readonly code = 'EXCHANGE_UNAVAILABLE';
  override readonly retryable = true;
}

/** 429 / 418 / "too many requests". Retryable, after `retryAfterMs` when the exchange said so. */
export class RateLimitedError extends ExchangeError {
  override readonly code = 'EXCHANGE_RATE_LIMITED';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    details: ExchangeErrorDetails = {},
  ) {
    super(message, details);
  }
}

export class InsufficientFundsError extends ExchangeError {
  override readonly code = 'EXCHANGE_INSUFFICIENT_FUNDS';
}

export type InvalidOrderReason =
  | 'below_min_amount'
  | 'below_min_cost'
  | 'invalid_amount'
  | 'invalid_price'
  | 'missing_price'
  | 'invalid_client_order_id'
  | 'duplicate_client_order_id'
  | 'replay_symbol_busy'
  | 'replay_paused'
  | 'not_replayed'
  | 'rejected';

/** The order can never succeed as it is (precision, minimums, parameters). Checked locally when possible. */
export class InvalidOrderError extends ExchangeError {
  override readonly code = 'EXCHANGE_INVALID_ORDER';
  constructor(
    message: string,
    readonly reason: InvalidOrderReason = 'rejected',
    details: ExchangeErrorDetails = {},
  ) {
    super(message, details);
  }
}

export class OrderNotFoundError extends ExchangeError {
  override readonly code = 'EXCHANGE_ORDER_NOT_FOUND';
}

/** Bad key / signature / permissions / suspended account. Never retried. */
export class AuthenticationError extends ExchangeError {
  override readonly code = 'EXCHANGE_AUTHENTICATION_FAILED';
}

export class UnknownSymbolError extends ExchangeError {
  override readonly code = 'EXCHANGE_UNKNOWN_SYMBOL';
}

export class NotSupportedError extends ExchangeError {
  override readonly code = 'EXCHANGE_NOT_SUPPORTED';
}

/**
 * A create request may or may not have reached the exchange and the exchange stayed unreachable while we
 * tried to find out. Do NOT resend blindly: keep the order PENDING and let the reconciler ask the exchange
 * by clientOrderId (docs/architecture.md §4). Retryable in the sense that the outcome will be known later.
 */
export class OrderOutcomeUnknownError extends ExchangeError {
  override readonly code = 'EXCHANGE_ORDER_OUTCOME_UNKNOWN';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly clientOrderId: string,
    details: ExchangeErrorDetails = {},
  ) {
    super(message, details);
  }
}

export function isRetryableExchangeError(e: unknown): boolean {
  return e instanceof ExchangeError && e.retryable;
}

/**
 * Remove secrets from a message: the given literal values (API key, secret, passphrase) and anything that
 * looks like a request signature or credential parameter in a URL / body.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out
    .replace(/([?&]|\b)(signature|sign|apiKey|api_key|secret|passphrase|password|X-MBX-APIKEY)=([^&\s"']+)/gi, '$1$2=***')
    .replace(/("(?:signature|sign|apiKey|api_key|secret|passphrase|password)"\s*:\s*")([^"]*)"/gi, '$1***"');
}
