/** Why a candle row was rejected. Stable codes: callers (CLI, API filter) switch on them. */
export type CandleValidationCode =
  | 'CANDLE_EMPTY_INPUT'
  | 'CANDLE_BAD_HEADER'
  | 'CANDLE_COLUMN_COUNT'
  | 'CANDLE_NOT_NUMERIC'
  | 'CANDLE_BAD_TIMESTAMP'
  | 'CANDLE_NON_POSITIVE_PRICE'
  | 'CANDLE_NEGATIVE_VOLUME'
  | 'CANDLE_HIGH_BELOW_LOW'
  | 'CANDLE_HIGH_BELOW_BODY'
  | 'CANDLE_LOW_ABOVE_BODY'
  | 'CANDLE_MISALIGNED'
  | 'CANDLE_DUPLICATE'
  | 'CANDLE_UNSORTED'
  | 'CANDLE_TIMEFRAME_UNKNOWN';

/**
 * A candle row that cannot be accepted. `line` is the 1-based line number in the CSV file (header = line 1)
 * or, for in-memory arrays (ccxt OHLCV), the 1-based row number. `source` names the file when known.
 */
export class CandleValidationError extends Error {
  constructor(
    readonly code: CandleValidationCode,
    readonly line: number,
    readonly reason: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}:` : 'line '}${line}: ${reason} [${code}]`);
    this.name = 'CandleValidationError';
  }

  /** Same error, attributed to a named source (file path). */
  withSource(source: string): CandleValidationError {
    return new CandleValidationError(this.code, this.line, this.reason, source);
  }
}
