import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { BadRequestError, ConflictError } from '@tb/common';
import { PositionsService } from '@tb/positions';
import { isPerpSymbol } from '@tb/strategies';
import { OrdersService } from './orders.service';
import type { OrderEntity } from './order.entity';
import type { ClosePositionRequestDto } from './dto/orders.dto';

/** Closing a position is an order: the opposite side through the OMS (reduce-only on derivatives). */
@Injectable()
export class PositionsCloseService {
  constructor(
    private readonly positions: PositionsService,
    private readonly oms: OrdersService,
  ) {}

  /** Full or partial close: a market order on the opposite side, reduce-only on derivatives. */
  async close(userId: string, positionId: string, dto: ClosePositionRequestDto): Promise<OrderEntity> {
    const p = await this.positions.get(userId, positionId);
    if (p.closedAt || new Decimal(p.size).isZero()) throw new ConflictError('position is already closed');
    if (dto.fraction !== undefined && dto.amount !== undefined) throw new BadRequestError('give either fraction or amount, not both');
    const size = new Decimal(p.size);
    const amount = dto.amount !== undefined ? Decimal.min(new Decimal(dto.amount), size) : size.times(dto.fraction ?? 1);
    const derivative = isPerpSymbol(p.symbol);
    return this.oms.place({
      userId,
      accountId: p.accountId,
      botId: p.botKey === 'manual' ? null : p.botKey,
      intentKey: `close:${p.id}:${dto.clientKey ?? randomUUID()}`,
      symbol: p.symbol,
      type: 'market',
      side: p.side === 'long' ? 'sell' : 'buy',
      positionSide: p.side,
      amount: amount.toNumber(),
      reduceOnly: derivative,
      tag: 'close',
      referencePrice: p.averageEntry ? Number(p.averageEntry) : undefined,
    });
  }
}
