import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQueryDto } from '@tb/common';
import type { PositionEntity } from '../../position.entity';

export class ListPositionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'closed', 'all'], default: 'open' }) @IsOptional() @IsIn(['open', 'closed', 'all']) status?: 'open' | 'closed' | 'all';
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/, { message: 'symbol must be a ccxt unified symbol' }) symbol?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() accountId?: string;
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
