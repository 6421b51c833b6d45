import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, Max, Min } from 'class-validator';
import { GRID_DIRECTIONS, SLOT_STATUSES, type GridDirection, type SlotStatus } from '@tb/strategies';
import type { GridLevelView, LevelOrderView } from '../grid-levels';
import type { GridLevelsView } from '../grid-controls.service';

/** POST /api/grid/bots/:id/adjust: the settings of a running grid that may change (at least one). */
export class AdjustGridRequestDto {
  @ApiPropertyOptional({ description: 'range mode: lowest level' }) @IsOptional() @IsNumber() @IsPositive() lowerPrice?: number;
  @ApiPropertyOptional({ description: 'range mode: highest level' }) @IsOptional() @IsNumber() @IsPositive() upperPrice?: number;
  @ApiPropertyOptional({ description: 'range: grid intervals (2..200); adaptive: levels (1..40)' }) @IsOptional() @IsInt() @Min(1) @Max(200) gridNum?: number;
  @ApiPropertyOptional({ description: 'Total quote committed (before leverage)' }) @IsOptional() @IsNumber() @IsPositive() investment?: number;
  @ApiPropertyOptional({ description: 'quote_per_grid sizing: quote per level' }) @IsOptional() @IsNumber() @IsPositive() quotePerGrid?: number;
  @ApiPropertyOptional({ description: 'base_per_grid sizing: base per level' }) @IsOptional() @IsNumber() @IsPositive() basePerGrid?: number;
  @ApiPropertyOptional({ enum: GRID_DIRECTIONS }) @IsOptional() @IsIn(GRID_DIRECTIONS) direction?: GridDirection;
}

export class AdjustGridResponseDto {
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The merged settings, journaled; the strategy cancels what changed at its next evaluation and the next candle re-places it' })
  settings!: Record<string, unknown>;
}

export class LevelOrderResponseDto implements LevelOrderView {
  @ApiProperty({ description: 'intent key (the order id within the bot)' }) key!: string;
  @ApiProperty({ example: 'OPEN' }) status!: string;
  @ApiProperty({ enum: ['buy', 'sell'] }) side!: 'buy' | 'sell';
  @ApiProperty({ type: String, nullable: true }) price!: string | null;
  @ApiProperty() amount!: string;
  @ApiProperty() filled!: string;
}

export class GridLevelResponseDto implements GridLevelView {
  @ApiProperty() level!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null while an adaptive grid warms up' }) price!: number | null;
  @ApiProperty({ type: String, enum: ['long', 'short'], nullable: true }) side!: 'long' | 'short' | null;
  @ApiProperty({ enum: SLOT_STATUSES }) state!: SlotStatus;
  @ApiProperty({ description: 'false: outside the current grid but still holding a position' }) inGrid!: boolean;
  @ApiProperty({ type: LevelOrderResponseDto, nullable: true, description: 'The resting entry order' }) order!: LevelOrderResponseDto | null;
  @ApiProperty({ type: LevelOrderResponseDto, nullable: true }) takeProfit!: LevelOrderResponseDto | null;
  @ApiProperty({ description: 'Entry orders of the level that filled' }) filledCount!: number;
  @ApiProperty({ description: "Profit of the level's completed round trips, net of fees (decimal string)" }) realizedProfit!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why the level carries no order although it could' }) note!: string | null;
}

export class GridLevelsResponseDto {
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ example: 'running' }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: "The grid's own status (warming_up, waiting_trigger, running, stopped)" }) gridStatus!: string | null;
  @ApiProperty({ type: [GridLevelResponseDto], description: 'Empty before the first evaluation' }) levels!: GridLevelResponseDto[];

  static from(v: GridLevelsView): GridLevelsResponseDto {
    const state = v.bot.state as { status?: string } | null;
    return { botId: v.bot.id, status: v.bot.status, gridStatus: state?.status ?? null, levels: (v.levels ?? []).map((l) => ({ ...l })) };
  }
}
