import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@tb/common';
import { EventOutboxRepository } from '@tb/events';
import { PositionEntity } from './position.entity';
import { PositionsRepository, type PositionKey, type PositionQuery } from './positions.repository';
import { EMPTY_POSITION, applyFill, type FillInput } from './position.math';

export interface AppliedFill extends FillInput {
  readonly userId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly botId: string | null;
  readonly executedAt: Date;
  readonly leverage?: number;
}

/**
 * Positions derived from fills. `applyFill` must run inside the transaction that inserted the fill (the OMS
 * calls it only for fills that were newly inserted, so each fill moves a position exactly once).
 */
@Injectable()
export class PositionsService {
  constructor(
    private readonly positions: PositionsRepository,
    private readonly outbox: EventOutboxRepository,
  ) {}

  async applyFill(fill: AppliedFill): Promise<PositionEntity> {
    const key: PositionKey = { userId: fill.userId, accountId: fill.accountId, symbol: fill.symbol, side: fill.positionSide, botKey: fill.botId ?? 'manual' };
    let row = await this.positions.lockOpen(key);
    const state = row
      ? { size: row.size, averageEntry: row.averageEntry, realizedPnl: row.realizedPnl, fees: row.fees, fillCount: row.fillCount }
      : { ...EMPTY_POSITION };
    const effect = applyFill(state, fill);
    if (!row) {
      row = await this.positions.insert({
        ...key,
        size: '0',
        averageEntry: null,
        realizedPnl: '0',
        fees: '0',
        funding: '0',
        leverage: String(fill.leverage ?? 1),
        openedAt: null,
        closedAt: null,
        updatedAt: fill.executedAt,
        fillCount: 0,
      });
    }
    const next: Partial<PositionEntity> = {
      size: effect.state.size,
      averageEntry: effect.state.averageEntry,
      realizedPnl: effect.state.realizedPnl,
      fees: effect.state.fees,
      fillCount: effect.state.fillCount,
      updatedAt: new Date(),
      ...(effect.opened ? { openedAt: fill.executedAt } : {}),
      ...(effect.closed ? { closedAt: fill.executedAt } : {}),
    };
    await this.positions.update(row.id, next);
    const updated = Object.assign(row, next);
    if (effect.opened) {
      await this.outbox.append('position.opened', fill.userId, { positionId: row.id, accountId: fill.accountId, symbol: fill.symbol, side: key.side, botId: fill.botId, size: updated.size, averageEntry: updated.averageEntry });
    }
    if (effect.closed) {
      await this.outbox.append('position.closed', fill.userId, { positionId: row.id, accountId: fill.accountId, symbol: fill.symbol, side: key.side, botId: fill.botId, realizedPnl: updated.realizedPnl, fees: updated.fees });
    }
    return updated;
  }

  list(userId: string, q: PositionQuery): Promise<[PositionEntity[], number]> {
    return this.positions.listForUser(userId, q);
  }

  async get(userId: string, id: string): Promise<PositionEntity> {
    const p = await this.positions.findForUser(userId, id);
    if (!p) throw new NotFoundError('position', id);
    return p;
  }

  listForAccountSymbol(accountId: string, symbol: string): Promise<PositionEntity[]> {
    return this.positions.listForAccountSymbol(accountId, symbol);
  }
}
