import { MatchingEngine, type EngineEvent, type MarginMode } from '@tb/matching';
import { parseCommandFor, timeframeMs, toColumns, type Candle, type CandleColumns, type CommandInput, type Intent, type MarketSpec, type Strategy } from '@tb/strategies';
import {
  BacktestCanceledError,
  LedgerMismatchError,
  type BacktestInput,
  type BacktestResult,
  type EquityPoint,
} from './backtest.types';
import { withBacktestCapital } from './backtest-capital.defaults';
import { computeMetricsOnly, drawdownSeries } from './metrics';
import { TradeTracker } from './trade.tracker';

const DEFAULT_PROGRESS_EVERY = 65_536;

function isColumns(c: CandleColumns | readonly Candle[]): c is CandleColumns {
  return (c as CandleColumns).time instanceof Float64Array;
}

/** First index with time[i] >= t. */
function lowerBound(time: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Allowed absolute error of the ledger identity: 1e-8 relative to the account size. */
export function ledgerTolerance(initialBalance: number): number {
  return 1e-8 * Math.max(1, Math.abs(initialBalance));
}

/**
 * One backtest, steppable in chunks so async callers (CLI progress bar, queue workers with cancellation)
 * can yield between them. Per candle:
 *   1. the matching engine walks the candle's path over the resting orders (and fills market orders from
 *      the previous close at its open); each fill / closed order goes to strategy.onFill / onOrderClosed at
 *      once and the intents they return join the book at that point of the path;
 *   2. the candle is closed: strategy.decide sees it, its intents are submitted (market ones fill at the
 *      next candle's open);
 *   3. equity is marked at the close.
 * After the last candle every resting order is canceled and open positions are closed at the last close
 * (reason 'end_of_data'), so the ledger closes: final = initial + Σ realized − Σ fees − Σ funding.
 */
export class BacktestSession<Settings = unknown, State = unknown> {
  readonly start: number;
  readonly end: number; // exclusive
  private i: number;
  private readonly cols: CandleColumns;
  private readonly engine: MatchingEngine;
  private readonly tracker: TradeTracker;
  private readonly strategy: Strategy<Settings, State>;
  private readonly market: MarketSpec;
  private readonly settings: Settings;
  private state: State;
  private readonly equity: Float64Array;
  private readonly tfMs: number;
  private exposed = 0;
  private rejected = 0;
  private routeToStrategy = true;
  private finished: BacktestResult | null = null;
  private readonly marginMode: MarginMode | null;
  /** trader commands by the open time of the candle they follow (null: none) */
  private readonly commands: Map<number, CommandInput[]> | null;
  /**
   * The candle handed to `decide`, rewritten in place for every candle (the contract: a strategy reads the candle
   * during the call and copies what it keeps), so a million-candle run allocates no candle objects.
   */
  private readonly bar: { time: number; open: number; high: number; low: number; close: number; volume: number } = {
    time: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
  };

  constructor(private readonly input: BacktestInput<Settings, State>) {
    const cols = isColumns(input.candles) ? input.candles : toColumns(input.candles);
    this.cols = cols;
    this.start = input.from !== undefined ? lowerBound(cols.time, cols.length, input.from) : 0;
    this.end = input.to !== undefined ? lowerBound(cols.time, cols.length, input.to + 1) : cols.length;
    if (this.end <= this.start) throw new RangeError('backtest: no candles in the requested range');
    if (!(input.initialBalance > 0)) throw new RangeError('backtest: initialBalance must be > 0');
    this.i = this.start;
    this.strategy = input.strategy;
    this.market = input.market;
    this.tfMs = timeframeMs(input.timeframe);
    const engineLeverage = input.market.type === 'perp' ? (input.leverage ?? 1) : 1;
    this.settings = input.strategy.parseSettings(
      withBacktestCapital(input.strategy, input.settings, {
        initialBalance: input.initialBalance,
        marketType: input.market.type,
        leverage: engineLeverage,
        feeMaker: input.feeMaker,
      }),
    );
    this.state = input.strategy.init({
      botId: input.botId ?? 'backtest',
      settings: this.settings,
      market: input.market,
      timeframe: input.timeframe,
    });
    this.marginMode = input.market.type === 'perp' ? (input.marginMode ?? input.strategy.defaultMarginMode ?? 'isolated') : null;
    this.engine = new MatchingEngine({
      market: input.market,
      initialBalance: input.initialBalance,
      feeMaker: input.feeMaker,
      feeTaker: input.feeTaker,
      slippage: input.slippage,
      limitFill: input.limitFill,
      leverage: engineLeverage,
      maintenanceMarginRate: input.maintenanceMarginRate,
      marginMode: this.marginMode ?? undefined,
      funding: input.funding,
      // funding times inside a candle are charged where the walk reaches them
      barMs: this.tfMs,
    });
    this.commands = this.commandsByTime(input);
    this.tracker = new TradeTracker({ perFill: input.strategy.tradesPerFill === true });
    this.engine.setHandler((e) => this.onEvent(e));
    this.equity = new Float64Array(this.end - this.start);
  }

  /** Validates the commands (strategy, shape, a candle of the run at each time) and groups them by candle time. */
  private commandsByTime(input: BacktestInput<Settings, State>): Map<number, CommandInput[]> | null {
    const list = input.commands ?? [];
    if (list.length === 0) return null;
    if (!input.strategy.onCommand) throw new RangeError(`backtest: strategy ${input.strategy.name} takes no commands`);
    const out = new Map<number, CommandInput[]>();
    list.forEach((c, k) => {
      const at = lowerBound(this.cols.time, this.cols.length, c.time);
      if (!(at >= this.start && at < this.end && this.cols.time[at] === c.time)) throw new RangeError(`backtest: command ${k}: no candle of the run opens at ${c.time}`);
      const command = parseCommandFor(input.strategy as unknown as Strategy<unknown, unknown>, c.command);
      const group = out.get(c.time) ?? [];
      group.push({ id: c.id ?? `${c.time}-${group.length}`, command });
      out.set(c.time, group);
    });
    return out;
  }

  get total(): number {
    return this.end - this.start;
  }

  get done(): number {
    return this.i - this.start;
  }

  private onEvent(e: EngineEvent): readonly Intent[] | undefined {
    switch (e.type) {
      case 'fill': {
        this.tracker.onFill(e);
        if (!this.routeToStrategy) return undefined;
        const r = this.strategy.onFill(this.state, e.fill);
        this.state = r.state;
        return r.intents;
      }
      case 'closed': {
        if (e.event.status === 'rejected') this.rejected++;
        if (!this.routeToStrategy) return undefined;
        const r = this.strategy.onOrderClosed(this.state, e.event);
        this.state = r.state;
        return r.intents;
      }
      case 'funding':
        this.tracker.onFunding(e);
        return undefined;
    }
  }

  /** Simulate up to `count` candles; returns true when every candle has been processed. */
  step(count: number): boolean {
    const { time, open, high, low, close, volume } = this.cols;
    const engine = this.engine;
    const strategy = this.strategy;
    const market = this.market;
    const tfMs = this.tfMs;
    const eq = this.equity;
    const base = this.start;
    const stop = Math.min(this.end, this.i + count);
    const candle = this.bar;
    let i = this.i;
    for (; i < stop; i++) {
      const t = time[i];
      const c = close[i];
      engine.advanceBar(t, open[i], high[i], low[i], c);
      candle.time = t;
      candle.open = open[i];
      candle.high = high[i];
      candle.low = low[i];
      candle.close = c;
      candle.volume = volume[i];
      const r = strategy.decide(this.state, candle, market);
      this.state = r.state;
      const intents = r.intents;
      if (intents.length) {
        const closeTime = t + tfMs;
        for (let k = 0; k < intents.length; k++) engine.submit(intents[k], closeTime);
      }
      if (this.commands !== null) this.applyCommands(t);
      eq[i - base] = engine.equity(c);
      if (engine.hasOpenPosition()) this.exposed++;
    }
    this.i = i;
    return i >= this.end;
  }

  /** The commands that follow the decision on candle `t`, in order; their orders join the book at the close. */
  private applyCommands(t: number): void {
    const list = this.commands!.get(t);
    if (list === undefined) return;
    const closeTime = t + this.tfMs;
    for (const c of list) {
      const r = this.strategy.onCommand!(this.state, c, this.market);
      this.state = r.state;
      for (const it of r.intents) this.engine.submit(it, closeTime);
    }
  }

  /** Run the remaining candles synchronously. */
  runToEnd(): BacktestResult {
    const every = this.input.progressEvery ?? DEFAULT_PROGRESS_EVERY;
    while (!this.step(every)) this.checkpoint();
    return this.finish();
  }

  /** Progress callback + cancellation check; throws BacktestCanceledError. */
  checkpoint(): void {
    this.input.onProgress?.({ done: this.done, total: this.total });
    if (this.input.shouldCancel?.()) throw new BacktestCanceledError(this.done);
  }

  /** Funding times within the run's candles [first open, last close). */
  private fundingEventsInRange(): number {
    const f = this.input.funding ?? [];
    const from = this.cols.time[this.start];
    const to = this.cols.time[this.end - 1] + this.tfMs;
    let n = 0;
    for (const x of f) if (x.time >= from && x.time < to) n++;
    return n;
  }

  finish(): BacktestResult {
    if (this.finished) return this.finished;
    if (this.i < this.end) throw new Error('backtest: finish() before every candle was processed');
    const last = this.end - 1;
    const lastTime = this.cols.time[last];
    const lastClose = this.cols.close[last];
    // End of data: the strategy no longer reacts; pending orders go, positions close at the last close.
    this.routeToStrategy = false;
    this.engine.cancelAll(lastTime, 'end_of_data');
    this.engine.closeAll(lastClose, lastTime, 'end_of_data');
    const n = this.end - this.start;
    this.equity[n - 1] = this.engine.equity(lastClose);

    const initial = this.input.initialBalance;
    const final = this.engine.balance;
    const tr = this.tracker;
    const tol = ledgerTolerance(initial);
    const expected = initial + tr.realized.value - tr.fees.value - tr.funding.value;
    if (!(Math.abs(final - expected) <= tol)) {
      throw new LedgerMismatchError(`final balance ${final} != initial + realized - fees - funding = ${expected}`);
    }
    if (!(Math.abs(this.equity[n - 1] - final) <= tol) || this.engine.hasOpenPosition() || this.engine.baseBalance !== 0) {
      throw new LedgerMismatchError(`last equity point ${this.equity[n - 1]} != final balance ${final}`);
    }
    let tradeSum = 0;
    for (const t of tr.trades) tradeSum += t.pnl;
    if (!(Math.abs(tradeSum - (final - initial)) <= tol)) {
      throw new LedgerMismatchError(`sum of trade PnL ${tradeSum} != final - initial ${final - initial}`);
    }
    this.input.onProgress?.({ done: n, total: n });

    const time = this.cols.time.subarray(this.start, this.end);
    const metrics = computeMetricsOnly({
      timeframe: this.input.timeframe,
      initialBalance: initial,
      time,
      equity: this.equity,
      trades: tr.trades,
      feesPaid: tr.fees.value,
      fundingPaid: tr.funding.value,
      realizedPnl: tr.realized.value,
      exposedCandles: this.exposed,
      firstOpen: this.cols.open[this.start],
      lastClose,
      liquidations: tr.liquidations,
      rejectedOrders: this.rejected,
    });
    const equity = this.equity;
    let drawdownPct: Float64Array | null = null;
    this.finished = {
      strategy: this.strategy.name,
      symbol: this.market.symbol,
      marketType: this.market.type,
      timeframe: this.input.timeframe,
      settings: this.settings,
      initialBalance: initial,
      finalBalance: final,
      metrics,
      trades: tr.trades,
      equityTime: time,
      equityValue: equity,
      // built on first read (reports, the API's curve), not by every run (a sweep reads only the metrics)
      get drawdownPct(): Float64Array {
        return (drawdownPct ??= drawdownSeries(equity, initial).drawdownPct);
      },
      marginMode: this.marginMode,
      fundingEvents: this.input.funding !== undefined && this.market.type === 'perp' ? this.fundingEventsInRange() : null,
      strategyStats: this.strategy.stats ? { ...this.strategy.stats(this.state) } : {},
      range: { start: this.start, end: this.end },
    };
    return this.finished;
  }
}

/** Run a whole backtest synchronously (see BacktestSession for the per-candle order of events). */
export function runBacktest<Settings, State>(input: BacktestInput<Settings, State>): BacktestResult {
  return new BacktestSession(input).runToEnd();
}

/** Same as runBacktest, yielding to the event loop between chunks (progress bars, cancellation from other callbacks). */
export async function runBacktestAsync<Settings, State>(input: BacktestInput<Settings, State>): Promise<BacktestResult> {
  const s = new BacktestSession(input);
  const every = input.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  while (!s.step(every)) {
    s.checkpoint();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return s.finish();
}

/** The equity curve as plain points (for JSON output). */
export function equityPoints(r: BacktestResult): EquityPoint[] {
  const out: EquityPoint[] = new Array(r.equityValue.length);
  for (let i = 0; i < out.length; i++) out[i] = { time: r.equityTime[i], equity: r.equityValue[i], drawdownPct: r.drawdownPct[i] };
  return out;
}
