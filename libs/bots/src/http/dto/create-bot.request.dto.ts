import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsObject, IsOptional, IsPositive, IsUUID, Matches, Max, ValidateBy, ValidateIf, ValidateNested, isISO8601, type ValidationOptions } from 'class-validator';
import { TIMEFRAMES, type Timeframe } from '@tb/strategies';

const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/;

/** Last millisecond of year 9999: later times cannot be written as ISO-8601 by Date. */
const MAX_TIME_MS = 253_402_300_799_999;

/** An ISO-8601 time or epoch milliseconds (1970 to 9999). */
function IsTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTime',
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME_MS) ||
          (typeof v === 'string' && isISO8601(v, { strict: true }) && Date.parse(v) >= 0 && Date.parse(v) <= MAX_TIME_MS),
        defaultMessage: (a) => `${a?.property ?? 'value'} must be an ISO-8601 time or epoch milliseconds`,
      },
    },
    options,
  );
}

/** Where the bot's candles come from. */
export class BotFeedRequestDto {
  @ApiProperty({ enum: ['live', 'replay'], example: 'replay', description: "live: the exchange's candles as they close; replay: stored candles played back (paper accounts only)" })
  @IsIn(['live', 'replay'])
  kind!: 'live' | 'replay';

  @ApiPropertyOptional({ oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }], example: '2024-01-01T00:00:00Z', description: 'replay: first candle (open time), ISO-8601 or epoch ms' })
  @ValidateIf((o: BotFeedRequestDto) => o.kind === 'replay' || o.from !== undefined)
  @IsTime()
  from?: string | number;

  @ApiPropertyOptional({ oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }], example: '2024-04-01T00:00:00Z', description: 'replay: last candle (open time), ISO-8601 or epoch ms' })
  @ValidateIf((o: BotFeedRequestDto) => o.kind === 'replay' || o.to !== undefined)
  @IsTime()
  to?: string | number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 3600,
    description: 'replay: speed factor (3600 = one hour of candles per second); null or absent = as fast as the runtime goes',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1e6)
  speed?: number | null;
}

/** POST /api/{hyperrsi|grid}/bots */
export class CreateBotRequestDto {
  @ApiProperty({ format: 'uuid', description: 'One of your exchange accounts (exchange "paper" for paper trading)' })
  @IsUUID()
  accountId!: string;

  @ApiProperty({ example: 'BTC/USDT:USDT', description: 'ccxt unified symbol (BTC/USDT spot, BTC/USDT:USDT perpetual)' })
  @Matches(SYMBOL, { message: 'symbol must be a ccxt unified symbol like BTC/USDT or BTC/USDT:USDT' })
  symbol!: string;

  @ApiProperty({ enum: TIMEFRAMES, example: '1h' })
  @IsIn(TIMEFRAMES)
  timeframe!: Timeframe;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { leverage: 10, investment: 1000 },
    description: "Strategy settings (the strategy's defaults fill in the rest); 400 STRATEGY_SETTINGS_INVALID lists every bad settings.<field>. Keys in camelCase (the API's names, as responses show them); the original's snake_case names are accepted too.",
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: BotFeedRequestDto, description: 'Default {"kind":"live"}' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BotFeedRequestDto)
  feed?: BotFeedRequestDto;

  @ApiPropertyOptional({ default: true, description: 'Start at once (activation checks the account, the market and the minimum investment)' })
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

/** POST /api/{hyperrsi|grid}/bots/:id/stop */
export class StopBotRequestDto {
  @ApiPropertyOptional({ default: false, description: "Also close the bot's position at market (its resting orders are always cancelled)" })
  @IsOptional()
  @IsBoolean()
  closePosition?: boolean;
}

/** PATCH /api/{hyperrsi|grid}/bots/:id/settings */
export class UpdateBotSettingsRequestDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { rsiOversold: 25 },
    description: "Settings to change (merged over the current ones, validated, journaled, applied from the next candle). Keys in camelCase (the API's names, as responses show them); the original's snake_case names are accepted too.",
  })
  @IsObject()
  settings!: Record<string, unknown>;
}
