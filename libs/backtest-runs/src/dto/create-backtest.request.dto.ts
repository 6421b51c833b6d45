import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { TIMEFRAMES, type Timeframe } from '@tb/strategies';
import { BACKTEST_API_STRATEGIES, BACKTEST_DEFAULTS, type BacktestApiStrategy } from '../backtest-run.request';

const FINITE = { allowNaN: false, allowInfinity: false } as const;
/** Smallest price tick / amount step: finer than any listed market; 1e-30 would make every grid and rounding loop absurd. */
const MIN_STEP = 1e-12;

/** POST /api/backtests and POST /api/backtests/run. Defaults match `tb backtest`. */
export class CreateBacktestRequestDto {
  @ApiProperty({ enum: BACKTEST_API_STRATEGIES, example: 'hyperrsi' })
  @IsIn(BACKTEST_API_STRATEGIES)
  strategy!: BacktestApiStrategy;

  @ApiProperty({ example: 'binance', description: 'ccxt exchange id of the stored candles' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{1,31}$/, { message: 'exchange must be a lower-case ccxt id such as binance' })
  exchange!: string;

  @ApiProperty({ example: 'BTC/USDT', description: 'ccxt unified symbol of the stored candles (BTC/USDT or BTC/USDT:USDT)' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9._-]{0,23}\/[A-Z0-9][A-Z0-9._-]{0,23}(?::[A-Z0-9][A-Z0-9._-]{0,23})?$/, {
    message: 'symbol must be a ccxt unified symbol such as BTC/USDT or BTC/USDT:USDT',
  })
  symbol!: string;

  @ApiPropertyOptional({ enum: ['spot', 'perp'], description: 'Default: perp for hyperrsi or a :SETTLE symbol, else spot' })
  @IsOptional()
  @IsIn(['spot', 'perp'])
  marketType?: 'spot' | 'perp';

  @ApiProperty({ enum: TIMEFRAMES, example: '1h' })
  @IsIn(TIMEFRAMES)
  timeframe!: Timeframe;

  @ApiProperty({ example: '2024-01-01T00:00:00Z', description: 'First candle open time (inclusive), ISO-8601' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ example: '2025-01-01T00:00:00Z', description: 'End of the range (exclusive: candles opening before it), ISO-8601' })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Strategy settings (the strategy's defaults fill in the rest); validated before the run is queued. Keys in camelCase (the API's names, as responses show them); the original's snake_case names are accepted too.",
    example: { rsiLength: 14, leverage: 10 },
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.initialBalance, minimum: 1, maximum: 1e12, description: 'Initial quote balance' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(1)
  @Max(1e12)
  initialBalance?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.feeMaker, minimum: 0, maximum: 0.05 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.05)
  feeMaker?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.feeTaker, minimum: 0, maximum: 0.05 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.05)
  feeTaker?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.slippage, minimum: 0, maximum: 0.05, description: 'Adverse slippage on market/stop fills' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.05)
  slippage?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 125, description: 'Perp leverage (default: settings.leverage, else 1)' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(1)
  @Max(125)
  leverage?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.maintenanceMarginRate, minimum: 0, maximum: 0.5 })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(0.5)
  maintenanceMarginRate?: number;

  @ApiPropertyOptional({ enum: ['through', 'touch'], default: BACKTEST_DEFAULTS.limitFill })
  @IsOptional()
  @IsIn(['through', 'touch'])
  limitFill?: 'through' | 'touch';

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.tickSize, minimum: MIN_STEP, maximum: 1e6, description: 'Price tick' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(MIN_STEP, { message: 'tickSize must be at least 1e-12' })
  @Max(1e6)
  tickSize?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.amountStep, minimum: MIN_STEP, maximum: 1e6, description: 'Amount step (and minimum amount)' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(MIN_STEP, { message: 'amountStep must be at least 1e-12' })
  @Max(1e6)
  amountStep?: number;

  @ApiPropertyOptional({ default: BACKTEST_DEFAULTS.minNotional, description: 'Minimum order value (quote)' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  @Max(1e9)
  minNotional?: number;
}
