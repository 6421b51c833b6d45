import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { In, Not } from 'typeorm';
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
  readonly entryHash?: string | null;
}

/** An inbox entry not yet read by its bot. */
export interface PendingInput {
  readonly seq: string;
  readonly kind: string;
  readonly payload: unknown;
}

/** What an evaluation writes back to its bot. */
export interface EvaluationFields {
  readonly state: unknown;
  readonly inputSeq: string;
  readonly decisions: number;
  readonly lastCandleTime: number | null;
  readonly guard: BotGuard;
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

  /** A user's bots that are not stopped, oldest first. */
  listNotStoppedOfUser(userId: string): Promise<BotEntity[]> {
    return this.bots
      .createQueryBuilder('b')
      .where('b.user_id = :userId', { userId })
      .andWhere(`b.status <> 'stopped'`)
      .orderBy('b.created_at')
      .addOrderBy('b.id')
      .getMany();
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

  /** A user's bots on an account that are not stopped (starting, running, paused, stopping — or in error, still holding what it held). */
  countNotStoppedForAccount(userId: string, accountId: string): Promise<number> {
    return this.bots.count({ where: { userId, accountId, status: Not('stopped') } });
  }

  listActive(): Promise<BotEntity[]> {
    return this.bots.find({ where: { status: In([...ACTIVE_BOT_STATUSES]) }, order: { id: 'ASC' } });
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

  // ------------------------------------------------------------ many bots at once (one evaluation batch, a feed's fan-out)

  /** The accounts of these bots (their ports are prepared before the evaluation's transaction). */
  accountsOf(ids: readonly string[]): Promise<Array<Pick<BotEntity, 'id' | 'accountId'>>> {
    return ids.length ? this.bots.find({ select: { id: true, accountId: true }, where: { id: In([...ids]) } }) : Promise.resolve([]);
  }

  /** Row locks for one evaluation of several bots, taken in id order (two batches never deadlock). */
  lockMany(ids: readonly string[]): Promise<BotEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.bots.createQueryBuilder('b').setLock('pessimistic_write').where('b.id IN (:...ids)', { ids: [...ids] }).orderBy('b.id', 'ASC').getMany();
  }

  /** Each bot's inbox after what it has read, in order (at most `limitPerBot` each). */
  async pendingInputsOf(bots: ReadonlyArray<{ readonly id: string; readonly inputSeq: string }>, limitPerBot = 5000): Promise<Map<string, PendingInput[]>> {
    const out = new Map<string, PendingInput[]>(bots.map((b) => [b.id, []]));
    if (!bots.length) return out;
    const rows = (await this.txHost.tx.query(
      `SELECT i."seq"::text AS seq, i."bot_id", i."kind", i."payload"
         FROM unnest($1::uuid[], $2::bigint[]) AS b(id, after)
         CROSS JOIN LATERAL (SELECT * FROM "bot_inputs" WHERE "bot_id" = b.id AND "seq" > b.after ORDER BY "seq" LIMIT $3) i
        ORDER BY i."bot_id", i."seq"`,
      [bots.map((b) => b.id), bots.map((b) => b.inputSeq), limitPerBot],
    )) as Array<{ seq: string; bot_id: string; kind: string; payload: unknown }>;
    for (const r of rows) out.get(r.bot_id)?.push({ seq: r.seq, kind: r.kind, payload: r.payload });
    return out;
  }

  /** Inputs for many bots' inboxes at once, in the order given; one whose (bot, key) exists already is skipped (idempotent). */
  async addInputs(rows: ReadonlyArray<{ readonly botId: string; readonly key: string; readonly kind: string; readonly payload: unknown }>): Promise<void> {
    if (!rows.length) return;
    await this.txHost.tx.query(
      `INSERT INTO "bot_inputs" ("bot_id", "key", "kind", "payload")
       SELECT b, k, kind, p FROM unnest($1::uuid[], $2::text[], $3::varchar[], $4::jsonb[]) WITH ORDINALITY AS x(b, k, kind, p, ord)
        ORDER BY ord
       ON CONFLICT ("bot_id", "key") DO NOTHING`,
      [rows.map((r) => r.botId), rows.map((r) => r.key), rows.map((r) => r.kind), rows.map((r) => JSON.stringify(r.payload))],
    );
  }

  async insertDecisions(rows: readonly NewDecision[]): Promise<void> {
    if (!rows.length) return;
    await this.txHost.tx.query(
      `INSERT INTO "bot_decisions" ("bot_id", "seq", "input_key", "kind", "input", "intents", "expired", "state_hash", "entry_hash")
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::varchar[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::char(64)[], $9::char(64)[])`,
      [
        rows.map((d) => d.botId),
        rows.map((d) => String(d.seq)),
        rows.map((d) => d.inputKey),
        rows.map((d) => d.input.kind),
        rows.map((d) => JSON.stringify(d.input)),
        rows.map((d) => JSON.stringify(d.intents)),
        rows.map((d) => JSON.stringify(d.expired)),
        rows.map((d) => d.stateHash),
        rows.map((d) => d.entryHash ?? null),
      ],
    );
  }

  async upsertEquities(rows: ReadonlyArray<{ readonly botId: string; readonly time: number; readonly equity: string; readonly realized: string; readonly fees: string }>): Promise<void> {
    if (!rows.length) return;
    await this.txHost.tx.query(
      `INSERT INTO "bot_equity" ("bot_id", "time", "equity", "realized", "fees")
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::numeric[], $4::numeric[], $5::numeric[])
       ON CONFLICT ("bot_id", "time") DO UPDATE SET "equity" = EXCLUDED."equity", "realized" = EXCLUDED."realized", "fees" = EXCLUDED."fees"`,
      [rows.map((r) => r.botId), rows.map((r) => String(r.time)), rows.map((r) => r.equity), rows.map((r) => r.realized), rows.map((r) => r.fees)],
    );
  }

  /** Version-checked writes of several evaluations' outcomes; the ids written (a bot missing moved meanwhile). */
  async saveEvaluations(rows: ReadonlyArray<{ readonly id: string; readonly version: number } & EvaluationFields>): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const saved = (await this.txHost.tx.query(
      `UPDATE "bots" b SET "state" = x.state, "version" = b."version" + 1, "input_seq" = x.input_seq, "decisions" = x.decisions,
              "last_candle_time" = x.lct, "guard" = x.guard, "updated_at" = now()
         FROM unnest($1::uuid[], $2::int[], $3::jsonb[], $4::bigint[], $5::bigint[], $6::bigint[], $7::jsonb[]) AS x(id, version, state, input_seq, decisions, lct, guard)
        WHERE b."id" = x.id AND b."version" = x.version
        RETURNING b."id"`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.version),
        rows.map((r) => JSON.stringify(r.state)),
        rows.map((r) => r.inputSeq),
        rows.map((r) => String(r.decisions)),
        rows.map((r) => (r.lastCandleTime === null ? null : String(r.lastCandleTime))),
        rows.map((r) => JSON.stringify(r.guard)),
      ],
    )) as [Array<{ id: string }>, number] | Array<{ id: string }>;
    const list = Array.isArray(saved[0]) ? (saved[0] as Array<{ id: string }>) : (saved as Array<{ id: string }>);
    return new Set(list.map((r) => r.id));
  }

  equityOf(botId: string, limit = 100_000): Promise<BotEquityEntity[]> {
    return this.equity.find({ where: { botId }, order: { time: 'ASC' }, take: limit });
  }
}
