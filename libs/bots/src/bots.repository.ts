import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { In } from 'typeorm';
import { BotDecisionEntity, BotEntity, BotEquityEntity, BotInputEntity, type BotFeed, type BotGuard, type BotStrategyName } from './bot.entity';
import { ACTIVE_BOT_STATUSES, type BotStatus } from './bot-status';
import type { JournalInput } from './bot-journal';
import type { BotProtections } from './bot-protections';
import type { MarketSpec, Timeframe } from '@tb/strategies';

export interface NewBot {
  readonly id: string;
  readonly userId: string;
  readonly accountId: string;
  readonly strategy: BotStrategyName;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly settings: Record<string, unknown>;
  readonly feed: BotFeed;
  readonly market: MarketSpec;
  readonly status: BotStatus;
  readonly protections: BotProtections;
}

export interface NewDecision {
  readonly botId: string;
  readonly seq: number;
  readonly inputKey: string;
  readonly input: JournalInput;
  readonly intents: unknown;
  readonly expired: unknown;
  readonly stateHash: string;
}

/** The only place that touches bots, their inputs, journal and equity. User-facing reads take the user id. */
@Injectable()
export class BotsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get bots() {
    return this.txHost.tx.getRepository(BotEntity);
  }

  private get inputs() {
    return this.txHost.tx.getRepository(BotInputEntity);
  }

  private get decisions() {
    return this.txHost.tx.getRepository(BotDecisionEntity);
  }

  private get equity() {
    return this.txHost.tx.getRepository(BotEquityEntity);
  }

  async insert(b: NewBot): Promise<void> {
    await this.bots.insert({ ...b, settings: b.settings as never, protections: b.protections as never, state: null as never, version: 0, inputSeq: '0', decisions: '0', lastCandleTime: null, guard: {}, statusReason: null });
  }

  findForUser(userId: string, id: string): Promise<BotEntity | null> {
    return this.bots.findOneBy({ id, userId });
  }

  findById(id: string): Promise<BotEntity | null> {
    return this.bots.findOneBy({ id });
  }

  /** Row lock for the evaluation / a status move (other evaluators of the same bot wait). */
  lock(id: string): Promise<BotEntity | null> {
    return this.bots.createQueryBuilder('b').setLock('pessimistic_write').where('b.id = :id', { id }).getOne();
  }

  listForUser(userId: string, strategy: BotStrategyName, limit: number, offset: number): Promise<[BotEntity[], number]> {
    return this.bots.findAndCount({ where: { userId, strategy }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  }

  /** One page of a user's bots of one strategy, newest first, optionally of one status. */
  pageForUser(userId: string, strategy: BotStrategyName, status: BotStatus | undefined, limit: number, offset: number): Promise<[BotEntity[], number]> {
    return this.bots.findAndCount({ where: { userId, strategy, ...(status ? { status } : {}) }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  }

  /** Remove a bot that never ran (created, then refused at activation): a refused create leaves nothing behind. */
  async deleteNeverStarted(id: string): Promise<boolean> {
    const res = await this.bots.createQueryBuilder().delete().where(`id = :id AND status = 'stopped' AND decisions = 0 AND started_at IS NULL`, { id }).execute();
    return (res.affected ?? 0) > 0;
  }

  /** Bots whose inputs come from a feed: running or paused (paused bots still see every candle, their orders expire). */
  listFed(kind: BotFeed['kind']): Promise<BotEntity[]> {
    return this.bots
      .createQueryBuilder('b')
      .where('b.status IN (:...s)', { s: ['running', 'paused'] })
      .andWhere(`b.feed->>'kind' = :kind`, { kind })
      .orderBy('b.id')
      .getMany();
  }

  listActive(): Promise<BotEntity[]> {
    return this.bots.find({ where: { status: In([...ACTIVE_BOT_STATUSES]) }, order: { id: 'ASC' } });
  }

  /** Version-checked write of the evaluation's outcome; false when someone else moved the bot meanwhile. */
  async saveEvaluation(
    id: string,
    version: number,
    fields: { state: unknown; inputSeq: string; decisions: number; lastCandleTime: number | null; guard: BotGuard },
  ): Promise<boolean> {
    const res = await this.bots
      .createQueryBuilder()
      .update()
      .set({
        state: () => ':state::jsonb',
        version: version + 1,
        inputSeq: fields.inputSeq,
        decisions: String(fields.decisions),
        lastCandleTime: fields.lastCandleTime === null ? null : String(fields.lastCandleTime),
        guard: () => ':guard::jsonb',
        updatedAt: () => 'now()',
      })
      .setParameters({ state: JSON.stringify(fields.state), guard: JSON.stringify(fields.guard) })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  async setStatus(id: string, status: BotStatus, reason: string | null, extra: Partial<Pick<BotEntity, 'startedAt' | 'stoppedAt'>> = {}): Promise<void> {
    await this.bots.update({ id }, { status, statusReason: reason, ...extra, updatedAt: new Date() });
  }

  async setSettings(id: string, settings: Record<string, unknown>): Promise<void> {
    await this.bots.update({ id }, { settings: settings as never, updatedAt: new Date() });
  }

  async delete(id: string): Promise<void> {
    await this.bots.delete({ id });
  }

  /** Add an input to the bot's inbox; false when one with that key exists already (idempotent). */
  async addInput(botId: string, key: string, kind: string, payload: unknown): Promise<boolean> {
    const res = await this.inputs.createQueryBuilder().insert().values({ botId, key, kind, payload: payload as object }).orIgnore().returning(['seq']).execute();
    return (res.raw as unknown[]).length > 0;
  }

  pendingInputs(botId: string, afterSeq: string, limit = 5000): Promise<BotInputEntity[]> {
    return this.inputs.createQueryBuilder('i').where('i.bot_id = :botId AND i.seq > :afterSeq', { botId, afterSeq }).orderBy('i.seq', 'ASC').limit(limit).getMany();
  }

  async hasPendingInputs(botId: string, afterSeq: string): Promise<boolean> {
    return (await this.inputs.createQueryBuilder('i').where('i.bot_id = :botId AND i.seq > :afterSeq', { botId, afterSeq }).getCount()) > 0;
  }

  async insertDecision(d: NewDecision): Promise<void> {
    await this.decisions.insert({
      botId: d.botId,
      seq: String(d.seq),
      inputKey: d.inputKey,
      kind: d.input.kind,
      input: d.input as object,
      intents: d.intents as object,
      expired: d.expired as object,
      stateHash: d.stateHash,
    });
  }

  listDecisions(botId: string, afterSeq: number, limit: number): Promise<BotDecisionEntity[]> {
    return this.decisions.createQueryBuilder('d').where('d.bot_id = :botId AND d.seq > :afterSeq', { botId, afterSeq }).orderBy('d.seq', 'ASC').limit(limit).getMany();
  }

  countDecisions(botId: string): Promise<number> {
    return this.decisions.countBy({ botId });
  }

  async countDecisionsByKind(botId: string): Promise<Record<string, number>> {
    const rows = (await this.decisions.createQueryBuilder('d').select('d.kind', 'kind').addSelect('count(*)', 'n').where('d.bot_id = :botId', { botId }).groupBy('d.kind').getRawMany()) as Array<{ kind: string; n: string }>;
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  }

  lastDecision(botId: string): Promise<BotDecisionEntity | null> {
    return this.decisions.findOne({ where: { botId }, order: { seq: 'DESC' } });
  }

  /** The latest decision of one kind (e.g. the last candle the bot decided on, for its last price). */
  lastDecisionOfKind(botId: string, kind: JournalInput['kind']): Promise<BotDecisionEntity | null> {
    return this.decisions.findOne({ where: { botId, kind }, order: { seq: 'DESC' } });
  }

  async upsertEquity(botId: string, time: number, equity: string, realized: string, fees: string): Promise<void> {
    await this.equity.createQueryBuilder().insert().values({ botId, time: String(time), equity, realized, fees }).orUpdate(['equity', 'realized', 'fees'], ['bot_id', 'time']).execute();
  }

  equityOf(botId: string, limit = 100_000): Promise<BotEquityEntity[]> {
    return this.equity.find({ where: { botId }, order: { time: 'ASC' }, take: limit });
  }
}
