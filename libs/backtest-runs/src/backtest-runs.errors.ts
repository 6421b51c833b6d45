import { DomainError, ErrorCode, NotFoundError } from '@tb/common';
import { apiSettingsErrorParts, type StrategySettingsError } from '@tb/strategies';

/** 400: the strategy's parseSettings rejected the settings; details list every bad field as `settings.<field>` (API names). */
export class InvalidBacktestSettingsError extends DomainError {
  constructor(err: StrategySettingsError) {
    super(
      ErrorCode.StrategySettingsInvalid,
      ...apiSettingsErrorParts(err),
    );
  }
}

/** 400: a request that is well-formed field by field but wrong as a whole (e.g. from >= to). */
export class InvalidBacktestRequestError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.ValidationFailed, message, details);
  }
}

/** 400: the synchronous endpoint only takes small ranges. */
export class BacktestTooLargeError extends DomainError {
  constructor(candles: number, max: number) {
    super(
      ErrorCode.BacktestTooLarge,
      `the range holds up to ${candles} candles; POST /api/backtests/run accepts at most ${max}. Submit it to POST /api/backtests (asynchronous) instead`,
      { candles, max, asyncEndpoint: 'POST /api/backtests' },
    );
  }
}

/** 409: the run already finished (completed or failed). */
export class BacktestNotCancellableError extends DomainError {
  constructor(id: string, status: string) {
    super(ErrorCode.BacktestNotCancellable, `backtest ${id} is ${status} and cannot be cancelled`, { id, status });
  }
}

/** 422: market_candles holds no candle of the series in the range. */
export class NoMarketDataError extends DomainError {
  constructor(exchange: string, symbol: string, timeframe: string, from: number, to: number) {
    super(
      ErrorCode.NoMarketData,
      `no ${timeframe} candles of ${exchange} ${symbol} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} (import them with \`tb data import\`)`,
      { exchange, symbol, timeframe, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    );
  }
}

export class BacktestRunNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('backtest', id);
  }
}
