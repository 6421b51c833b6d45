import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Largest offset a list accepts: beyond it a page is meaningless, and PostgreSQL's bigint would overflow first. */
export const MAX_PAGE_OFFSET = 1_000_000;
export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

/**
 * `?limit=&offset=` of every list endpoint: validated, bounded integers. A list with other bounds (the bots and
 * backtests lists: 20 by default, at most 100) extends `PageQuery(default, max)`; the rest extend PageQueryDto.
 */
export function PageQuery(defaultLimit: number, maxLimit: number) {
  class PageQueryBase {
    @ApiPropertyOptional({ default: defaultLimit, minimum: 1, maximum: maxLimit })
    @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(maxLimit)
    limit?: number;

    @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_PAGE_OFFSET })
    @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_PAGE_OFFSET)
    offset?: number;
  }
  return PageQueryBase;
}

export class PageQueryDto extends PageQuery(DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT) {}

/** The page envelope fields shared by every list response ({items, total, limit, offset}). */
export class PageMetaDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
