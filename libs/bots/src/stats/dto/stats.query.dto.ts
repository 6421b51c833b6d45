import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

export const SYMBOL_PATTERN = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/;

/** Narrows a statistic to one bot and/or one symbol (default: all of the user's fills). */
export class StatsScopeQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "One of your bots (another user's bot is 404)" })
  @IsOptional()
  @IsUUID()
  botId?: string;

  @ApiPropertyOptional({ example: 'BTC/USDT:USDT' })
  @IsOptional()
  @Matches(SYMBOL_PATTERN, { message: 'symbol must look like BASE/QUOTE or BASE/QUOTE:SETTLE' })
  symbol?: string;
}

/** GET /api/stats/daily|weekly|monthly: the last `limit` UTC periods that had fills. */
export class StatsSeriesQueryDto extends StatsScopeQueryDto {
  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
