import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { BOT_STATUSES, type BotStatus } from '../../bot-status';

/** GET /api/{hyperrsi|grid}/bots: newest first, offset pagination. */
export class ListBotsQueryDto {
  @ApiPropertyOptional({ enum: BOT_STATUSES })
  @IsOptional()
  @IsIn(BOT_STATUSES)
  status?: BotStatus;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

/** GET /api/{hyperrsi|grid}/bots/:id/decisions: the journal in order, paged by sequence number. */
export class ListDecisionsQueryDto {
  @ApiPropertyOptional({ default: 0, minimum: 0, description: 'Decisions after this sequence number (0 = from the start); pass the previous page\'s nextAfterSeq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
