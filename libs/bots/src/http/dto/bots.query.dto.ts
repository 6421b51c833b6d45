import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQuery } from '@tb/common';
import { BOT_STATUSES, type BotStatus } from '../../bot-status';

/** GET /api/{hyperrsi|grid}/bots: newest first, offset pagination. */
export class ListBotsQueryDto extends PageQuery(20, 100) {
  @ApiPropertyOptional({ enum: BOT_STATUSES })
  @IsOptional()
  @IsIn(BOT_STATUSES)
  status?: BotStatus;
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
