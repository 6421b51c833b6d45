import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsUUID, Matches, Max, ValidateIf, IsPositive } from 'class-validator';
import type { PositionEntity } from '@tb/positions';
import { MAX_ORDER_VALUE, PageQueryDto } from './orders.dto';

export class ListPositionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'closed', 'all'], default: 'open' }) @IsOptional() @IsIn(['open', 'closed', 'all']) status?: 'open' | 'closed' | 'all';
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/, { message: 'symbol must be a ccxt unified symbol' }) symbol?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() accountId?: string;
}

export class ClosePositionRequestDto {
  @ApiPropertyOptional({ description: 'Fraction of the position to close (0 < f ≤ 1). Default 1 (full close).', example: 0.5 })
  @ValidateIf((o: ClosePositionRequestDto) => o.fraction !== undefined) @IsNumber() @IsPositive() @Max(1) fraction?: number;
  @ApiPropertyOptional({ description: 'Or an amount in base units (instead of fraction)' })
  @ValidateIf((o: ClosePositionRequestDto) => o.amount !== undefined) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) amount?: number;
  @ApiPropertyOptional({ description: 'Idempotency key for the closing order' })
  @IsOptional() @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'clientKey must be 1-64 chars of [A-Za-z0-9._:-]' }) clientKey?: string;
}

export class PositionResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty() symbol!: string;
  @ApiProperty({ enum: ['long', 'short'] }) side!: string;
  @ApiProperty({ description: "'manual' or the bot id the position belongs to" }) bot!: string;
  @ApiProperty({ type: String }) size!: string;
  @ApiProperty({ type: String, nullable: true }) averageEntry!: string | null;
  @ApiProperty({ type: String, description: 'Gross realized PnL (quote)' }) realizedPnl!: string;
  @ApiProperty({ type: String }) fees!: string;
  @ApiProperty({ type: String }) funding!: string;
  @ApiProperty({ type: String }) leverage!: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) openedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'At the last price, when requested with detail' }) unrealizedPnl?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) liquidationPrice?: string | null;

  static from(p: PositionEntity): PositionResponseDto {
    return {
      id: p.id,
      accountId: p.accountId,
      symbol: p.symbol,
      side: p.side,
      bot: p.botKey,
      size: p.size,
      averageEntry: p.averageEntry,
      realizedPnl: p.realizedPnl,
      fees: p.fees,
      funding: p.funding,
      leverage: p.leverage,
      status: p.closedAt ? 'closed' : 'open',
      openedAt: p.openedAt?.toISOString() ?? null,
      closedAt: p.closedAt?.toISOString() ?? null,
    };
  }
}

export class PositionPageResponseDto {
  @ApiProperty({ type: [PositionResponseDto] }) items!: PositionResponseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
