import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNumber, IsOptional, IsPositive, Matches, Max } from 'class-validator';
import { COMMAND_ID, STRATEGY_COMMAND_TYPES, type StrategyCommand, type StrategyCommandType } from '@tb/strategies';

const finite = { allowNaN: false, allowInfinity: false } as const;

/**
 * POST /api/{hyperrsi|grid}/bots/:id/commands. The fields a command type needs (docs/adr/0018-trader-commands.md):
 * set_stop_loss {side, price}; clear_stop_loss {side}; set_take_profit {side, prices[1..3], sizes[1..3] (% of the
 * position)}; clear_take_profit {side}; close_percent {percent, side?}; skip_next_entry {}; force_entry {side, size?}.
 */
export class BotCommandRequestDto {
  @ApiProperty({ enum: STRATEGY_COMMAND_TYPES, example: 'set_stop_loss', description: 'What to do; the strategy declares which it accepts (others: 400 STRATEGY_COMMAND_INVALID)' })
  @IsIn(STRATEGY_COMMAND_TYPES)
  type!: StrategyCommandType;

  @ApiPropertyOptional({ enum: ['long', 'short'], example: 'long', description: 'The position the command is for' })
  @IsOptional()
  @IsIn(['long', 'short'])
  side?: 'long' | 'short';

  @ApiPropertyOptional({ example: 41_500, description: 'set_stop_loss: the stop price (rounded to the tick)' })
  @IsOptional()
  @IsNumber(finite)
  @IsPositive()
  price?: number;

  @ApiPropertyOptional({ type: [Number], example: [44_000, 45_000], description: 'set_take_profit: 1 to 3 prices' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsNumber(finite, { each: true })
  @IsPositive({ each: true })
  prices?: number[];

  @ApiPropertyOptional({ type: [Number], example: [50, 50], description: 'set_take_profit: % of the position each price closes (sum ≤ 100; at 100 the last takes the rest)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsNumber(finite, { each: true })
  @IsPositive({ each: true })
  @Max(100, { each: true })
  sizes?: number[];

  @ApiPropertyOptional({ example: 50, description: 'close_percent: % of the position to close now at market (100 = all)' })
  @IsOptional()
  @IsNumber(finite)
  @IsPositive()
  @Max(100)
  percent?: number;

  @ApiPropertyOptional({ example: 0.01, description: "force_entry: amount in base units (absent: the strategy's own entry size)" })
  @IsOptional()
  @IsNumber(finite)
  @IsPositive()
  size?: number;

  @ApiPropertyOptional({ example: 'sl-2024-05-01-1', description: 'Idempotency key (1-80 of A-Z a-z 0-9 _ . : -): the same id twice queues the command once' })
  @IsOptional()
  @Matches(COMMAND_ID)
  id?: string;

  /** The command without the idempotency key (the strategy validates its shape). */
  toCommand(): Record<string, unknown> {
    const { id: _id, ...rest } = this as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  }
}

export class BotCommandResponseDto {
  @ApiProperty({ description: "The command's id (its orders' keys carry it; the journal entry is `command:<id>`)" }) id!: string;
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ description: 'The command as the strategy will see it', type: 'object', additionalProperties: true }) command!: StrategyCommand;
  @ApiProperty({ description: 'false when a command with this id was queued before (nothing queued again)' }) queued!: boolean;
}
