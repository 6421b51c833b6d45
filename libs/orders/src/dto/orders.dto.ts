import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Matches, Max, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '@tb/common';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import type { OrderEntity } from '../order.entity';
import type { FillEntity } from '../fill.entity';

/** Upper bound of any price or amount a request may carry: far above any real market, far below float overflow. */
export const MAX_ORDER_VALUE = 1e15;

const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/;

export class PlaceOrderRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() accountId!: string;
  @ApiProperty({ example: 'BTC/USDT', description: 'ccxt unified symbol (BTC/USDT spot, BTC/USDT:USDT perpetual)' })
  @Matches(SYMBOL, { message: 'symbol must be a ccxt unified symbol like BTC/USDT or BTC/USDT:USDT' })
  symbol!: string;
  @ApiProperty({ enum: ['market', 'limit', 'stop_market'] }) @IsIn(['market', 'limit', 'stop_market']) type!: 'market' | 'limit' | 'stop_market';
  @ApiProperty({ enum: ['buy', 'sell'] }) @IsIn(['buy', 'sell']) side!: 'buy' | 'sell';
  @ApiPropertyOptional({ enum: ['long', 'short'], description: 'Derivatives hedge side; default long for buys, short for sells' })
  @IsOptional() @IsIn(['long', 'short']) positionSide?: 'long' | 'short';
  @ApiProperty({ example: 0.001, description: 'Base units; truncated to the market precision' }) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) amount!: number;
  @ApiPropertyOptional({ example: 60000, description: 'Limit price (required for limit)' })
  @ValidateIf((o: PlaceOrderRequestDto) => o.type === 'limit' || o.price !== undefined) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) price?: number;
  @ApiPropertyOptional({ description: 'Trigger price (required for stop_market)' })
  @ValidateIf((o: PlaceOrderRequestDto) => o.type === 'stop_market' || o.triggerPrice !== undefined) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) triggerPrice?: number;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() reduceOnly?: boolean;
  @ApiPropertyOptional({ description: 'Idempotency key: repeating a request with the same key never creates a second order', maxLength: 64 })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'clientKey must be 1-64 chars of [A-Za-z0-9._:-]' }) clientKey?: string;
  @ApiPropertyOptional({ description: 'Last known price, so a market order can be checked against the minimum notional before sending' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) referencePrice?: number;
}

export class CancelAllRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() accountId!: string;
  @ApiProperty({ example: 'BTC/USDT' }) @Matches(SYMBOL, { message: 'symbol must be a ccxt unified symbol' }) symbol!: string;
}

export { PageQueryDto };

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderStatus;
  @ApiPropertyOptional() @IsOptional() @Matches(SYMBOL, { message: 'symbol must be a ccxt unified symbol' }) symbol?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() accountId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) botId?: string;
}

export class FillResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() exchangeTradeId!: string;
  @ApiProperty({ type: String, example: '60000.5' }) price!: string;
  @ApiProperty({ type: String }) amount!: string;
  @ApiProperty({ type: String }) fee!: string;
  @ApiProperty({ nullable: true, type: String }) feeCurrency!: string | null;
  @ApiProperty() executedAt!: string;

  static from(f: FillEntity): FillResponseDto {
    return { id: f.id, exchangeTradeId: f.exchangeTradeId, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency, executedAt: f.executedAt.toISOString() };
  }
}

export class OrderResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ nullable: true, type: String }) botId!: string | null;
  @ApiProperty({ description: 'Sent to the exchange; derived from the intent key' }) clientOrderId!: string;
  @ApiProperty({ nullable: true, type: String }) exchangeOrderId!: string | null;
  @ApiProperty() exchange!: string;
  @ApiProperty() symbol!: string;
  @ApiProperty({ enum: ['market', 'limit', 'stop_market'] }) type!: string;
  @ApiProperty({ enum: ['buy', 'sell'] }) side!: string;
  @ApiProperty({ enum: ['long', 'short'] }) positionSide!: string;
  @ApiProperty({ type: String, description: 'Decimal string' }) amount!: string;
  @ApiProperty({ type: String, nullable: true }) price!: string | null;
  @ApiProperty({ type: String, nullable: true }) triggerPrice!: string | null;
  @ApiProperty() reduceOnly!: boolean;
  @ApiProperty() tag!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty({ type: String }) filled!: string;
  @ApiProperty({ type: String, nullable: true }) averagePrice!: string | null;
  @ApiProperty({ type: String }) fee!: string;
  @ApiProperty({ type: String, nullable: true }) rejectReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ type: [FillResponseDto] }) fills?: FillResponseDto[];

  static from(o: OrderEntity, fills?: FillEntity[]): OrderResponseDto {
    return {
      id: o.id,
      accountId: o.accountId,
      botId: o.botId,
      clientOrderId: o.clientOrderId,
      exchangeOrderId: o.exchangeOrderId,
      exchange: o.exchange,
      symbol: o.symbol,
      type: o.type,
      side: o.side,
      positionSide: o.positionSide,
      amount: o.amount,
      price: o.price,
      triggerPrice: o.triggerPrice,
      reduceOnly: o.reduceOnly,
      tag: o.tag,
      status: o.status,
      filled: o.filled,
      averagePrice: o.averagePrice,
      fee: o.fee,
      rejectReason: o.rejectReason,
      createdAt: o.createdAt.toISOString(),
      updatedAt: o.updatedAt.toISOString(),
      ...(fills ? { fills: fills.map((f) => FillResponseDto.from(f)) } : {}),
    };
  }
}

export class OrderPageResponseDto {
  @ApiProperty({ type: [OrderResponseDto] }) items!: OrderResponseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class CancelFailureDto {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ description: 'Why it could not be canceled' }) error!: string;
}

export class CancelAllResponseDto {
  @ApiProperty({ type: [OrderResponseDto] }) canceled!: OrderResponseDto[];
  @ApiProperty({ type: [CancelFailureDto], description: 'Orders that could not be canceled, with why' }) failed!: CancelFailureDto[];
}

/** POST /api/positions/:id/close: an order that closes (part of) a position. */
export class ClosePositionRequestDto {
  @ApiPropertyOptional({ description: 'Fraction of the position to close (0 < f ≤ 1). Default 1 (full close).', example: 0.5 })
  @ValidateIf((o: ClosePositionRequestDto) => o.fraction !== undefined) @IsNumber() @IsPositive() @Max(1) fraction?: number;
  @ApiPropertyOptional({ description: 'Or an amount in base units (instead of fraction)' })
  @ValidateIf((o: ClosePositionRequestDto) => o.amount !== undefined) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(MAX_ORDER_VALUE) amount?: number;
  @ApiPropertyOptional({ description: 'Idempotency key for the closing order' })
  @IsOptional() @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'clientKey must be 1-64 chars of [A-Za-z0-9._:-]' }) clientKey?: string;
}
