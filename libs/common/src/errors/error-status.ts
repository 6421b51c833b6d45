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
};
