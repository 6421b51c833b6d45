import { ErrorCode } from './error-code';

/** The one place where error codes become HTTP statuses. */
export const ERROR_HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.RouteNotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Internal]: 500,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.StrategySettingsInvalid]: 400,
  [ErrorCode.StrategyCommandInvalid]: 400,
  [ErrorCode.IllegalStateTransition]: 409,
  [ErrorCode.InsufficientFunds]: 422,
  [ErrorCode.OrderBelowMinimum]: 422,
  [ErrorCode.InvalidOrder]: 422,
  [ErrorCode.ExchangeUnavailable]: 503,
  [ErrorCode.ExchangeAuthFailed]: 422,
  [ErrorCode.BacktestTooLarge]: 400,
  [ErrorCode.BacktestNotCancellable]: 409,
  [ErrorCode.NoMarketData]: 422,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.InvalidRefreshToken]: 401,
  [ErrorCode.AccountInUse]: 409,
  [ErrorCode.ExchangeError]: 502,
  [ErrorCode.ExchangeRateLimited]: 429,
  [ErrorCode.ExchangeInsufficientFunds]: 422,
  [ErrorCode.ExchangeInvalidOrder]: 422,
  [ErrorCode.ExchangeOrderNotFound]: 404,
  [ErrorCode.ExchangeAuthenticationFailed]: 422,
  [ErrorCode.ExchangeUnknownSymbol]: 422,
  [ErrorCode.ExchangeNotSupported]: 422,
  [ErrorCode.ExchangeOrderOutcomeUnknown]: 503,
};

/** Codes that answer with a `Retry-After` header (seconds, from `details.retryAfterS` or the error's `retryAfterMs`). */
export const RETRY_AFTER_CODES: ReadonlySet<string> = new Set([
  ErrorCode.RateLimited,
  ErrorCode.ExchangeRateLimited,
  ErrorCode.ExchangeUnavailable,
  ErrorCode.ExchangeOrderOutcomeUnknown,
]);

/** Default `Retry-After` (s) when the error does not say. */
export const DEFAULT_RETRY_AFTER_S = 5;
