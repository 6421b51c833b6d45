import { Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@tb/database';
import { ExchangeAccountsService } from '@tb/accounts';
import type { ExchangePort } from '@tb/exchange';
import { OrdersService, type BotActionToWrite, type BotOrderEvents } from '@tb/orders';
import { timeframeMs, type Candle, type Fill, type Intent, type OrderClosedEvent, type Strategy, type StrategyCommand } from '@tb/strategies';
import type { BotEntity } from './bot.entity';
import { botStrategy } from './bot-strategies';
import { applyInput, entryHash, inputKey, stateHash, type JournalInput } from './bot-journal';
import { BotsRepository, type EvaluationFields, type NewDecision, type PendingInput } from './bots.repository';
import { BotMetrics } from './bot.metrics';
import { EventOutboxRepository } from '@tb/events';
import { DEFAULT_PROTECTIONS, bookFill, checkProtections, emptyBooks, equityAt, type BotBooks, type BotProtections } from './bot-protections';
import type { BotStatus } from './bot-status';

/** Candle inputs stored in the inbox. */
export interface CandleInputPayload {
  readonly candle: Candle;
  /** set for warm-up candles: their decisions are journaled, their orders expire */
  readonly warmup?: boolean;
}

export interface EvaluationOptions {
  /** the bot's clock: live = wall time, replay = the replay's point in time */
  readonly now: number;
  /** orders decided on a candle that closed longer ago than this are not sent (live catch-up) */
  readonly maxCandleAgeMs: number;
  /** when the candle that triggered this evaluation became available (latency metrics) */
  readonly candleAvailableAt?: number;
  /**
   * Replay: the bar the paper exchange is walking. Commands (and what follows them in the inbox, candles apart) wait
   * until the candle of that bar has been decided, so a command never lands in the middle of a walked bar: it
   * follows a candle decision, as in a backtest (docs/adr/0018-trader-commands.md). -1 (no bar walked yet) adds
   * nothing: every bot's commands already wait for its first candle decision.
   */
  readonly holdCommandsUntil?: number;
}

/** A command in the inbox (BotCommandsService writes it). */
export interface CommandInputPayload {
  readonly id: string;
  readonly command: StrategyCommand;
  /** who sent it: 'api' | 'webhook' | 'telegram' ... */
  readonly source?: string;
}

export interface EvaluationResult {
  readonly decisions: number;
  readonly orders: number;
  readonly cancels: number;
  readonly skipped: boolean;
  readonly strategy?: string;
}

const MAX_CHAIN = 10_000;
/** Parallel sends after a batch's commit (each bot's own actions stay in order). */
const DISPATCH_LANES = 4;
const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(8) : '0');
const SKIPPED: EvaluationResult = Object.freeze({ decisions: 0, orders: 0, cancels: 0, skipped: true });

/**
 * Evaluations of bots (docs/adr/0010-bot-runtime.md). For each bot, every input its strategy has not seen — fills
 * and closings of its orders (from the OMS, exactly once each), then the inbox (candles, settings changes) in order —
 * goes through the pure strategy; the new state (version-checked), one journal entry per input and the resulting
 * PENDING orders / cancel requests are committed in ONE transaction. Orders are sent after commit, outside any
 * transaction, by `OrdersService.dispatchBot`. A crash before commit re-runs the same inputs from the same state
 * (same intent keys, so the same clientOrderIds); after commit, what is PENDING is sent by the next dispatch or the
 * reconciler. The bot rows are locked for the transaction: two workers never evaluate the same input twice.
 *
 * Several bots (a feed's candle close) are evaluated in one transaction with a fixed number of round trips — their
 * rows locked in id order, their events and inboxes read at once, their journal entries, equity points, orders and
 * states written at once — so a thousand bots cost a few dozen queries, not tens of thousands. If the batch fails
 * (one bot's strategy throws, a bot moved meanwhile), it is rolled back and each bot is evaluated on its own, so one
 * bad bot never holds up the others.
 */
@Injectable()
export class BotEvaluator {
  private readonly logger = new Logger(BotEvaluator.name);

  constructor(
    private readonly bots: BotsRepository,
    private readonly orders: OrdersService,
    private readonly accounts: ExchangeAccountsService,
    private readonly metrics: BotMetrics,
    private readonly outbox: EventOutboxRepository,
  ) {}

  /** Evaluate what is pending for one bot, then send what it decided. */
  async evaluate(botId: string, options: EvaluationOptions): Promise<EvaluationResult> {
    const outcome = await this.evaluateMany([botId], options);
    const failure = outcome.failed.get(botId);
    if (failure) throw failure;
    return outcome.results.get(botId) ?? SKIPPED;
  }

  /**
   * Evaluate several bots in one transaction, then send what they decided (`now`), or leave that to the caller
   * (`later`: the bots in `toSend`, e.g. for a job behind the rest of the close's evaluations). A batch that fails is
   * retried one bot at a time; `failed` holds the bots whose own evaluation failed too (the caller retries them alone).
   */
  async evaluateMany(
    botIds: readonly string[],
    options: EvaluationOptions,
    send: 'now' | 'later' = 'now',
  ): Promise<{ results: Map<string, EvaluationResult>; failed: Map<string, Error>; toSend: string[] }> {
    const all = [...new Set(botIds)].sort();
    const { ports, failed } = await this.portsOf(all); // network (cached markets): never inside the transaction
    const ids = all.filter((id) => !failed.has(id));
    const started = performance.now();
    const results = new Map<string, EvaluationResult>();
    const attempt = async (batch: readonly string[]): Promise<void> => {
      for (const [k, v] of await this.evaluateInTransaction(batch, ports, options)) results.set(k, v);
    };
    try {
      if (ids.length) await attempt(ids);
    } catch (e) {
      if (ids.length === 1) failed.set(ids[0], e as Error);
      else {
        this.logger.warn({ msg: 'batch evaluation failed: evaluating its bots one by one', bots: ids.length, error: (e as Error).message });
        results.clear();
        for (const id of ids) await attempt([id]).catch((e1: Error) => failed.set(id, e1));
      }
    }
    const ms = performance.now() - started;
    const at = options.candleAvailableAt;
    const toSend: string[] = [];
    for (const [id, r] of results) {
      if (r.decisions > 0) {
        this.metrics.decided(r.strategy ?? 'unknown', r.decisions, ms);
        if (at !== undefined) this.metrics.candleLatency('committed', Date.now() - at);
      }
      if (r.orders > 0 || r.cancels > 0) toSend.push(id);
    }
    if (send === 'now') await this.send(toSend, at);
    return { results, failed, toSend };
  }

  /** Send what these bots decided (their PENDING orders and cancel requests, each bot's in sequence), a few bots at a time. */
  async send(botIds: readonly string[], candleAvailableAt?: number): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < botIds.length) {
        await this.orders.dispatchBot(botIds[next++]);
        if (candleAvailableAt !== undefined) this.metrics.candleLatency('sent', Date.now() - candleAvailableAt);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DISPATCH_LANES, botIds.length) }, lane));
  }

  /** The bots' exchange ports with their markets loaded, by account; a bot whose account is gone or unreachable fails. */
  private async portsOf(ids: readonly string[]): Promise<{ ports: Map<string, ExchangePort>; failed: Map<string, Error> }> {
    const bots = await this.bots.accountsOf(ids);
    const { ports, refused } = await this.accounts.exchangesForAccountIds([...new Set(bots.map((b) => b.accountId))]);
    const unreachable = new Map<string, Error>();
    for (const [accountId, port] of ports) {
      try {
        await port.loadMarkets();
      } catch (e) {
        unreachable.set(accountId, e as Error);
        ports.delete(accountId);
      }
    }
    const failed = new Map<string, Error>();
    for (const b of bots) {
      const why = refused.get(b.accountId) ?? unreachable.get(b.accountId);
      if (why) failed.set(b.id, why);
    }
    return { ports, failed };
  }

  @Transactional()
  async evaluateInTransaction(ids: readonly string[], ports: ReadonlyMap<string, ExchangePort>, options: EvaluationOptions): Promise<Map<string, EvaluationResult>> {
    const locked = (await this.bots.lockMany(ids)).filter((b) => ports.has(b.accountId)); // a bot created meanwhile waits for its next job
    const results = new Map<string, EvaluationResult>();
    if (!locked.length) return results;
    const lockedIds = locked.map((b) => b.id);
    const events = await this.orders.botEventsOf(lockedIds);
    const inboxes = await this.bots.pendingInputsOf(locked);
    const cancelable = await this.orders.cancelableOfBots(lockedIds);
    const w = new BatchWrites();
    const evaluated: Run[] = [];
    for (const bot of locked) {
      const run = new Run(bot, options, ports.get(bot.accountId)!, cancelable.get(bot.id)!, w);
      this.step(run, events.get(bot.id)!, inboxes.get(bot.id)!);
      evaluated.push(run);
      results.set(bot.id, run.result());
      await new Promise<void>((r) => setImmediate(r)); // the job's lock is renewed between bots
    }
    await this.bots.insertDecisions(w.decisions);
    await this.orders.markBotEventsApplied(w.appliedFills, w.appliedClosings);
    await this.orders.writeBotActions(w.actions);
    await this.bots.upsertEquities(w.equity);
    const toSave = evaluated.filter((r) => r.save !== null);
    const saved = await this.bots.saveEvaluations(toSave.map((r) => ({ id: r.bot.id, version: r.bot.version, ...r.save! })));
    for (const r of toSave) if (!saved.has(r.bot.id)) throw new Error(`bot ${r.bot.id} changed during its evaluation (version ${r.bot.version})`); // rolls back; retried
    for (const r of evaluated) {
      if (r.status === r.bot.status) continue;
      const { bot, status, statusReason } = r;
      await this.bots.setStatus(bot.id, status, statusReason);
      await this.outbox.append(status === 'paused' ? 'bot.paused' : 'bot.started', bot.userId, { botId: bot.id, strategy: bot.strategy, symbol: bot.symbol, status, reason: statusReason });
      this.logger.log({ msg: 'bot status changed by its protections', botId: bot.id, status, reason: statusReason });
    }
    return results;
  }

  /** One bot's evaluation, in memory: every pending input through the strategy; what to write goes to the batch. */
  private step(run: Run, events: BotOrderEvents, inbox: readonly PendingInput[]): void {
    const { bot, options } = run;
    const strategy = botStrategy(bot.strategy);
    const protections: BotProtections = { ...DEFAULT_PROTECTIONS, ...bot.protections };
    let books: BotBooks = { ...emptyBooks(), ...bot.guard };
    // a protection's pause is over: the bot trades again from this evaluation
    if (run.status === 'paused' && books.pausedUntil !== null && options.now >= books.pausedUntil) {
      run.status = 'running';
      run.statusReason = 'protection period over';
      books = { ...books, pausedUntil: null };
    }

    if (run.seq === 0) {
      // the journal starts with the initial state, so that `tb bots replay` rebuilds the bot from scratch
      const settings = strategy.parseSettings(bot.settings);
      this.journal(run, strategy, { kind: 'init', botId: bot.id, settings, market: bot.market, timeframe: bot.timeframe });
    }

    for (const { fill, order, remaining } of events.fills) {
      const f: Fill = {
        key: order.intentKey,
        side: order.side,
        positionSide: order.positionSide,
        amount: Number(fill.amount),
        price: Number(fill.price),
        fee: Number(fill.feeQuote),
        time: fill.executedAt.getTime(),
        tag: order.tag,
        remaining,
      };
      this.journal(run, strategy, { kind: 'fill', fill: f }, `fill:${fill.id}`);
      books = bookFill(books, f);
      run.w.appliedFills.push(fill.id);
    }
    for (const o of events.closed) {
      const closedAs = o.status === 'CANCELED' ? 'canceled' : o.status === 'REJECTED' ? 'rejected' : 'expired';
      const ev: OrderClosedEvent = { key: o.intentKey, status: closedAs, ...(o.rejectReason ? { reason: o.rejectReason } : {}), time: options.now };
      this.journal(run, strategy, { kind: 'closed', event: ev }, `closed:${o.id}`);
      run.w.appliedClosings.push(o.id);
      if (run.status === 'running' && o.status === 'REJECTED' && protections.pauseOnRejection) {
        run.status = 'paused';
        run.statusReason = `order rejected: ${(o.rejectReason ?? 'rejected').slice(0, 300)}`;
      }
    }

    let inputSeq = bot.inputSeq;
    let lastCandle = bot.lastCandleTime === null ? null : Number(bot.lastCandleTime);
    const tf = timeframeMs(bot.timeframe);
    const hold = options.holdCommandsUntil;
    const held: PendingInput[] = [];
    const applyOther = (input: PendingInput): void => {
      if (input.kind === 'settings') {
        const settings = strategy.parseSettings((input.payload as { settings: unknown }).settings);
        this.journal(run, strategy, { kind: 'settings', settings }, `settings:${input.seq}`);
      } else if (input.kind === 'command') {
        if (run.status !== 'running' && run.status !== 'paused') return; // a stopped bot takes no command (the API refuses them too)
        const p = input.payload as CommandInputPayload;
        this.journal(run, strategy, { kind: 'command', command: { id: p.id, command: p.command }, candleTime: lastCandle }, `command:${p.id}`);
      }
    };
    // a command waits while the bot has seen no price (no candle decided yet: a force entry would be skipped as
    // force_entry_no_price_yet) and, in replay, until the bar being walked is decided; what follows it waits with it
    const waiting = (): boolean => lastCandle === null || (hold !== undefined && lastCandle < hold);
    for (const input of inbox) {
      if (input.kind !== 'candle' && (held.length > 0 || (input.kind === 'command' && waiting()))) {
        held.push(input);
        continue;
      }
      inputSeq = input.seq;
      if (input.kind === 'candle') {
        const p = input.payload as CandleInputPayload;
        if (lastCandle !== null && p.candle.time <= lastCandle) continue; // already decided (duplicate delivery)
        if (run.status !== 'running' && run.status !== 'paused') continue;
        const stale = options.now - (p.candle.time + tf) > options.maxCandleAgeMs;
        const expire = p.warmup ? 'warmup' : run.status === 'paused' ? 'paused' : stale ? 'stale' : null;
        if (expire === 'stale') this.logger.warn({ msg: 'stale candle: its orders are not sent', botId: bot.id, candleTime: p.candle.time });
        this.journal(run, strategy, { kind: 'candle', candle: p.candle, expire });
        lastCandle = p.candle.time;
        if (!p.warmup) {
          // the bot's equity at the close (charts, drawdown), then its protections
          const allocation = protections.allocation ?? Number((bot.settings as { investment?: unknown }).investment ?? 0);
          const closeTime = p.candle.time + tf;
          const checked = checkProtections(books, protections, allocation, p.candle.close, closeTime);
          books = checked.books;
          run.w.equity.push({ botId: bot.id, time: p.candle.time, equity: fmt(equityAt(books, allocation, p.candle.close)), realized: fmt(books.realized), fees: fmt(books.fees) });
          if (run.status === 'running' && checked.verdict.pause) {
            run.status = 'paused';
            run.statusReason = checked.verdict.reason;
            books = { ...books, pausedUntil: checked.verdict.until };
          }
        }
        if (held.length > 0 && !p.warmup && !waiting()) {
          // the awaited candle is decided (a live one: not a warm-up candle of days ago): what waited for it follows
          // the decision, in arrival order
          for (const h of held.splice(0)) applyOther(h);
        }
      } else applyOther(input);
    }
    // still held (the bar is not decided yet): read again from the first held input next time (candles after it are
    // recognised as decided and skipped)
    if (held.length > 0) inputSeq = String(BigInt(held[0].seq) - 1n);

    if (run.decisions === 0 && run.status === bot.status) return;
    run.save = { state: run.state, inputSeq, decisions: run.seq, lastCandleTime: lastCandle, guard: books };
  }

  /** One input through the strategy: its journal entry, then what its intents ask (which may journal more). */
  private journal(run: Run, strategy: Strategy<unknown, unknown>, input: JournalInput, fromKey?: string): void {
    const r = applyInput(strategy, run.state, input, run.bot.market);
    run.state = r.state;
    run.seq++;
    const expire = input.kind === 'candle' ? input.expire : null;
    const hash = stateHash(run.state);
    run.w.decisions.push({
      botId: run.bot.id,
      seq: run.seq,
      inputKey: fromKey ?? inputKey(input),
      input,
      intents: r.intents,
      expired: expire ? r.intents.filter((i) => i.action === 'place').map((i) => i.key) : [],
      stateHash: hash,
      entryHash: entryHash(input, r.intents, hash),
    });
    run.decisions++;
    this.carryOut(run, strategy, r.intents, expire);
  }

  /** Turn intents into PENDING orders / cancel requests (or expire them), in order. */
  private carryOut(run: Run, strategy: Strategy<unknown, unknown>, intents: readonly Intent[], expire: string | null): void {
    const { bot } = run;
    for (const it of intents) {
      if (it.action === 'cancel') {
        if (!run.cancelable.has(it.key)) continue; // nothing (left) to cancel
        run.cancelable.delete(it.key);
        run.w.actions.push({ kind: 'cancel', botId: bot.id, intentKey: it.key, reason: it.reason });
        run.cancels++;
        continue;
      }
      if (expire) {
        // never sent: the strategy learns it at once, so its state matches the exchange
        this.journal(run, strategy, { kind: 'closed', event: { key: it.key, status: 'expired', reason: expire, time: run.options.now } }, `expired:${it.key}`);
        continue;
      }
      if (++run.chain > MAX_CHAIN) throw new Error(`bot ${bot.id}: more than ${MAX_CHAIN} intents in one evaluation`);
      const { order, rejected } = this.orders.prepareBotOrder(run.port, {
        userId: bot.userId,
        accountId: bot.accountId,
        botId: bot.id,
        intentKey: it.key,
        symbol: bot.symbol,
        type: it.type,
        side: it.side,
        positionSide: it.positionSide,
        amount: it.amount,
        price: it.price,
        triggerPrice: it.triggerPrice,
        reduceOnly: it.reduceOnly,
        tag: it.tag,
      });
      if (rejected !== null) {
        this.journal(run, strategy, { kind: 'closed', event: { key: it.key, status: 'rejected', reason: rejected, time: run.options.now } }, `rejected:${it.key}`);
        continue;
      }
      run.w.actions.push({ kind: 'place', order });
      run.cancelable.add(it.key);
      run.orders++;
    }
  }
}

/** What one transaction writes for all its bots, in the order it was decided. */
class BatchWrites {
  readonly decisions: NewDecision[] = [];
  readonly actions: BotActionToWrite[] = [];
  readonly equity: Array<{ botId: string; time: number; equity: string; realized: string; fees: string }> = [];
  readonly appliedFills: string[] = [];
  readonly appliedClosings: string[] = [];
}

/** One bot's evaluation in progress. */
class Run {
  decisions = 0;
  orders = 0;
  cancels = 0;
  chain = 0;
  state: unknown;
  seq: number;
  status: BotStatus;
  statusReason: string | null = null;
  /** what to write back to the bot row; null: nothing happened */
  save: EvaluationFields | null = null;

  constructor(
    readonly bot: BotEntity,
    readonly options: EvaluationOptions,
    readonly port: ExchangePort,
    /** intent keys of its orders a cancel can still reach (its open orders, and those placed in this evaluation) */
    readonly cancelable: Set<string>,
    readonly w: BatchWrites,
  ) {
    this.state = bot.state;
    this.seq = Number(bot.decisions);
    this.status = bot.status;
  }

  result(): EvaluationResult {
    return { decisions: this.decisions, orders: this.orders, cancels: this.cancels, skipped: false, strategy: this.bot.strategy };
  }
}
