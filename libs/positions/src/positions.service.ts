import { Injectable, Logger } from '@nestjs/common';
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
  private readonly logger = new Logger(PositionsService.name);

  constructor(
    private readonly positions: PositionsRepository,
    private readonly outbox: EventOutboxRepository,
  ) {}

  /** The position a fill belongs to. */
  static keyOf(fill: Pick<AppliedFill, 'userId' | 'accountId' | 'symbol' | 'positionSide' | 'botId'>): PositionKey {
    return { userId: fill.userId, accountId: fill.accountId, symbol: fill.symbol, side: fill.positionSide, botKey: fill.botId ?? 'manual' };
  }

  /** Hold the key's lock until the transaction ends: no other fill of this position is applied meanwhile. */
  lockKey(key: PositionKey): Promise<void> {
    return this.positions.lockKey(key);
  }

  /** Fold one new fill into the open position of its key (the fill must be the key's latest in execution order). */
  async applyFill(fill: AppliedFill): Promise<PositionEntity> {
    const key = PositionsService.keyOf(fill);
    await this.positions.lockKey(key);
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

  /**
   * Recompute every lifecycle of a key from ALL its fills in execution order, reusing the existing rows (ids stay
   * stable where lifecycles survive). Used when a fill is recorded after a later one was already applied (a resting
   * order's fill found by the reconciler, a lost response adopted late): folding it in last would compute the
   * average entry and realized PnL in the wrong order. No events are emitted for rebuilt lifecycles.
   */
  async rebuild(key: PositionKey, fills: readonly AppliedFill[]): Promise<PositionEntity[]> {
    await this.positions.lockKey(key);
    const rows = await this.positions.lockAllOfKey(key);
    type Lifecycle = { state: typeof EMPTY_POSITION; openedAt: Date | null; closedAt: Date | null; updatedAt: Date; leverage: string };
    const lifecycles: Lifecycle[] = [];
    let current: Lifecycle | null = null;
    for (const f of fills) {
      if (!current) {
        current = { state: { ...EMPTY_POSITION }, openedAt: null, closedAt: null, updatedAt: f.executedAt, leverage: String(f.leverage ?? 1) };
        lifecycles.push(current);
      }
      const effect = applyFill(current.state, f);
      current.state = effect.state;
      current.updatedAt = f.executedAt;
      if (effect.opened) current.openedAt = f.executedAt;
      if (effect.closed) {
        current.closedAt = f.executedAt;
        current = null;
      }
    }
    // close every old row first (the partial unique index allows one open row per key), the open one is written last
    const now = new Date();
    for (const r of rows) if (r.closedAt === null) await this.positions.update(r.id, { closedAt: now });
    const out: PositionEntity[] = [];
    for (let i = 0; i < lifecycles.length; i++) {
      const l = lifecycles[i];
      const fields: Partial<PositionEntity> = {
        size: l.state.size,
        averageEntry: l.state.averageEntry,
        realizedPnl: l.state.realizedPnl,
        fees: l.state.fees,
        fillCount: l.state.fillCount,
        openedAt: l.openedAt,
        closedAt: l.closedAt,
        updatedAt: now,
      };
      if (i < rows.length) {
        await this.positions.update(rows[i].id, fields);
        out.push(Object.assign(rows[i], fields));
      } else {
        out.push(await this.positions.insert({ ...key, funding: '0', leverage: l.leverage, ...fields }));
      }
    }
    await this.positions.deleteByIds(rows.slice(lifecycles.length).map((r) => r.id));
    this.logger.warn({ msg: 'position rebuilt from its fills (a fill was recorded out of execution order)', accountId: key.accountId, symbol: key.symbol, side: key.side, botKey: key.botKey, fills: fills.length, lifecycles: lifecycles.length });
    return out;
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
