import { Injectable } from '@nestjs/common';
import { ExchangeAccountsService } from '@tb/accounts';
import { isPerpSymbol } from '@tb/strategies';
import { liquidationPriceEstimate, unrealizedPnl } from '../position.math';
import { PositionsService } from '../positions.service';
import { PositionResponseDto } from './dto/positions.dto';

/** One position with what needs the exchange: unrealized PnL at the account's last price, and a liquidation estimate. */
@Injectable()
export class PositionDetailService {
  constructor(
    private readonly positions: PositionsService,
    private readonly accounts: ExchangeAccountsService,
  ) {}

  /** Best effort: unrealizedPnl is null when the exchange cannot be reached. */
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
