import { Injectable, Logger } from '@nestjs/common';
import { Transactional } from '@tb/database';
import { ExchangeAccountsService } from '@tb/accounts';
import type { ExchangePort } from '@tb/exchange';
import { OrdersService, type BotOrderEvents } from '@tb/orders';
import { timeframeMs, type Candle, type Fill, type Intent, type OrderClosedEvent } from '@tb/strategies';
import type { BotEntity } from './bot.entity';
import { botStrategy } from './bot-strategies';
import { applyInput, inputKey, stateHash, type JournalInput } from './bot-journal';
import { BotsRepository } from './bots.repository';
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
}

export interface EvaluationResult {
  readonly decisions: number;
  readonly orders: number;
  readonly cancels: number;
  readonly skipped: boolean;
}

const MAX_CHAIN = 10_000;
const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(8) : '0');

/**
 * One evaluation of one bot (docs/adr/0010-bot-runtime.md): every input the strategy has not seen — fills and
 * closings of its orders (from the OMS, exactly once each), then the inbox (candles, settings changes) in order —
 * goes through the pure strategy; the new state (version-checked), one journal entry per input and the resulting
 * PENDING orders / cancel requests are committed in ONE transaction. Orders are sent after commit, outside any
 * transaction, by `OrdersService.dispatchBot`. A crash before commit re-runs the same inputs from the same state
 * (same intent keys, so the same clientOrderIds); after commit, what is PENDING is sent by the next dispatch or the
 * reconciler. The bot row is locked for the transaction: two workers never evaluate the same input twice.
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

  /** Evaluate what is pending, then send what it decided. */
  async evaluate(botId: string, options: EvaluationOptions): Promise<EvaluationResult> {
    const bot = await this.bots.findById(botId);
    if (!bot) return { decisions: 0, orders: 0, cancels: 0, skipped: true };
    const { port } = await this.accounts.exchangeForAccountId(bot.accountId);
    await port.loadMarkets(); // network (cached): never inside the transaction
    const started = performance.now();
    const result = await this.evaluateInTransaction(botId, port, options);
    const at = options.candleAvailableAt;
    if (result.decisions > 0) {
      this.metrics.decided(bot.strategy, result.decisions, performance.now() - started);
      if (at !== undefined) this.metrics.candleLatency('committed', Date.now() - at);
    }
    if (result.orders > 0 || result.cancels > 0) {
      await this.orders.dispatchBot(botId);
      if (at !== undefined) this.metrics.candleLatency('sent', Date.now() - at);
    }
    return result;
  }

  @Transactional()
  async evaluateInTransaction(botId: string, port: ExchangePort, options: EvaluationOptions): Promise<EvaluationResult> {
    const bot = await this.bots.lock(botId);
    if (!bot) return { decisions: 0, orders: 0, cancels: 0, skipped: true };
    const strategy = botStrategy(bot.strategy);
    const run = new Run(bot, options, port);
    const protections: BotProtections = { ...DEFAULT_PROTECTIONS, ...bot.protections };
    let books: BotBooks = { ...emptyBooks(), ...bot.guard };
    let status: BotStatus = bot.status;
    let statusReason: string | null = null;
    // a protection's pause is over: the bot trades again from this evaluation
    if (status === 'paused' && books.pausedUntil !== null && options.now >= books.pausedUntil) {
      status = 'running';
      statusReason = 'protection period over';
      books = { ...books, pausedUntil: null };
    }
    let state: unknown = bot.state;
    let seq = Number(bot.decisions);
    const journal = async (input: JournalInput, fromKey?: string): Promise<void> => {
      const r = applyInput(strategy, state, input, bot.market);
      state = r.state;
      seq++;
      const expire = input.kind === 'candle' ? input.expire : null;
      const expired: string[] = [];
      await this.bots.insertDecision({
        botId,
        seq,
        inputKey: fromKey ?? inputKey(input),
        input,
        intents: r.intents,
        expired: expire ? r.intents.filter((i) => i.action === 'place').map((i) => i.key) : expired,
        stateHash: stateHash(state),
      });
      run.decisions++;
      await this.carryOut(run, r.intents, expire, journal);
    };

    if (seq === 0) {
      // the journal starts with the initial state, so that `tb bots replay` rebuilds the bot from scratch
      const settings = strategy.parseSettings(bot.settings);
      await journal({ kind: 'init', botId: bot.id, settings, market: bot.market, timeframe: bot.timeframe });
    }

    const events: BotOrderEvents = await this.orders.botEvents(botId);
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
      await journal({ kind: 'fill', fill: f }, `fill:${fill.id}`);
      books = bookFill(books, f);
    }
    for (const o of events.closed) {
      const closedAs = o.status === 'CANCELED' ? 'canceled' : o.status === 'REJECTED' ? 'rejected' : 'expired';
      const ev: OrderClosedEvent = { key: o.intentKey, status: closedAs, ...(o.rejectReason ? { reason: o.rejectReason } : {}), time: options.now };
      await journal({ kind: 'closed', event: ev }, `closed:${o.id}`);
      if (status === 'running' && o.status === 'REJECTED' && protections.pauseOnRejection) {
        status = 'paused';
        statusReason = `order rejected: ${(o.rejectReason ?? 'rejected').slice(0, 300)}`;
      }
    }
    await this.orders.markBotEventsApplied(
      events.fills.map((x) => x.fill.id),
      events.closed.map((o) => o.id),
    );

    let inputSeq = bot.inputSeq;
    let lastCandle = bot.lastCandleTime === null ? null : Number(bot.lastCandleTime);
    const tf = timeframeMs(bot.timeframe);
    for (const input of await this.bots.pendingInputs(botId, bot.inputSeq)) {
      inputSeq = input.seq;
      if (input.kind === 'candle') {
        const p = input.payload as CandleInputPayload;
        if (lastCandle !== null && p.candle.time <= lastCandle) continue; // already decided (duplicate delivery)
        if (status !== 'running' && status !== 'paused') continue;
        const stale = options.now - (p.candle.time + tf) > options.maxCandleAgeMs;
        const expire = p.warmup ? 'warmup' : status === 'paused' ? 'paused' : stale ? 'stale' : null;
        if (expire === 'stale') this.logger.warn({ msg: 'stale candle: its orders are not sent', botId, candleTime: p.candle.time });
        await journal({ kind: 'candle', candle: p.candle, expire });
        lastCandle = p.candle.time;
        if (!p.warmup) {
          // the bot's equity at the close (charts, drawdown), then its protections
          const allocation = protections.allocation ?? Number((bot.settings as { investment?: unknown }).investment ?? 0);
          const closeTime = p.candle.time + tf;
          const checked = checkProtections(books, protections, allocation, p.candle.close, closeTime);
          books = checked.books;
          await this.bots.upsertEquity(botId, p.candle.time, fmt(equityAt(books, allocation, p.candle.close)), fmt(books.realized), fmt(books.fees));
          if (status === 'running' && checked.verdict.pause) {
            status = 'paused';
            statusReason = checked.verdict.reason;
            books = { ...books, pausedUntil: checked.verdict.until };
          }
        }
      } else if (input.kind === 'settings') {
        const settings = strategy.parseSettings((input.payload as { settings: unknown }).settings);
        await journal({ kind: 'settings', settings }, `settings:${input.seq}`);
      }
    }

    if (run.decisions === 0 && status === bot.status) return { decisions: 0, orders: 0, cancels: 0, skipped: false };
    const ok = await this.bots.saveEvaluation(botId, bot.version, { state, inputSeq, decisions: seq, lastCandleTime: lastCandle, guard: books });
    if (!ok) throw new Error(`bot ${botId} changed during its evaluation (version ${bot.version})`); // rolls back; retried
    if (status !== bot.status) {
      await this.bots.setStatus(botId, status, statusReason);
      await this.outbox.append(status === 'paused' ? 'bot.paused' : 'bot.started', bot.userId, { botId, strategy: bot.strategy, symbol: bot.symbol, status, reason: statusReason });
      this.logger.log({ msg: 'bot status changed by its protections', botId, status, reason: statusReason });
    }
    return { decisions: run.decisions, orders: run.orders, cancels: run.cancels, skipped: false };
  }

  /** Turn intents into PENDING orders / cancel requests (or expire them), in order. */
  private async carryOut(
    run: Run,
    intents: readonly Intent[],
    expire: string | null,
    journal: (input: JournalInput, key?: string) => Promise<void>,
  ): Promise<void> {
    for (const it of intents) {
      if (it.action === 'cancel') {
        if (await this.orders.requestBotCancel(run.bot.id, it.key, it.reason)) run.cancels++;
        continue;
      }
      if (expire) {
        // never sent: the strategy learns it at once, so its state matches the exchange
        await journal({ kind: 'closed', event: { key: it.key, status: 'expired', reason: expire, time: run.options.now } }, `expired:${it.key}`);
        continue;
      }
      if (++run.chain > MAX_CHAIN) throw new Error(`bot ${run.bot.id}: more than ${MAX_CHAIN} intents in one evaluation`);
      const { order, rejected } = await this.orders.writeBotOrder(run.port, {
        userId: run.bot.userId,
        accountId: run.bot.accountId,
        botId: run.bot.id,
        intentKey: it.key,
        symbol: run.bot.symbol,
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
        await journal({ kind: 'closed', event: { key: it.key, status: 'rejected', reason: rejected, time: run.options.now } }, `rejected:${it.key}`);
        continue;
      }
      if (order) run.orders++;
    }
  }
}

class Run {
  decisions = 0;
  orders = 0;
  cancels = 0;
  chain = 0;
  constructor(
    readonly bot: BotEntity,
    readonly options: EvaluationOptions,
    readonly port: ExchangePort,
  ) {}
}
