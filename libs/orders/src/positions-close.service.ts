import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { BadRequestError, ConflictError } from '@tb/common';
import { PositionsService, liquidationPriceEstimate, unrealizedPnl } from '@tb/positions';
import { ExchangeAccountsService } from '@tb/accounts';
import { isPerpSymbol } from '@tb/strategies';
import { OrdersService } from './orders.service';
import type { OrderEntity } from './order.entity';
import { PositionResponseDto, type ClosePositionRequestDto } from './dto/positions.dto';

/** Position views that need the exchange (last price) and closes that go through the OMS. */
@Injectable()
export class PositionsCloseService {
  constructor(
    private readonly positions: PositionsService,
    private readonly oms: OrdersService,
    private readonly accounts: ExchangeAccountsService,
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

  /** Detail with unrealized PnL at the last price (best effort: null when the exchange cannot be reached). */
  async detail(userId: string, positionId: string): Promise<PositionResponseDto> {
    const p = await this.positions.get(userId, positionId);
    const dto = PositionResponseDto.from(p);
    const state = { size: p.size, averageEntry: p.averageEntry, realizedPnl: p.realizedPnl, fees: p.fees, fillCount: p.fillCount };
    dto.liquidationPrice = isPerpSymbol(p.symbol) ? liquidationPriceEstimate(state, p.side, Number(p.leverage)) : null;
    dto.unrealizedPnl = null;
    if (!p.closedAt) {
      try {
        const port = await this.accounts.exchangeFor(userId, p.accountId);
        const ticker = await port.fetchTicker(p.symbol);
        if (ticker.last !== null) dto.unrealizedPnl = unrealizedPnl(state, p.side, ticker.last);
      } catch {
        dto.unrealizedPnl = null;
      }
    }
    return dto;
  }
}
