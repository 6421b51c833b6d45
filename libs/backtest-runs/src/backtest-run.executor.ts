import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@tb/common';
import { MarketCandlesRepository } from '@tb/market';
import { StrategySettingsError, toColumns, type CandleColumns, type Timeframe } from '@tb/strategies';
import { runBacktestAsync } from '@tb/backtest';
import { BacktestCanceledError, LedgerMismatchError, type BacktestResult, type EquityPoint } from '@tb/backtest';
import { renderHtmlReport } from '@tb/backtest';
import { NoMarketDataError } from './backtest-runs.errors';
import { backtestInputOf } from './backtest-run.request';
import { BacktestRunsRepository, type BacktestRunRecord, type BacktestRunResults } from './backtest-runs.repository';

/** Stored reports leave out the ~200 kB chart library; GET /report puts it back in place of this marker. */
export const REPORT_CHARTS_PLACEHOLDER = '/*__TB_CHARTS_LIBRARY__*/';
/** Most points of the stored equity curve. */
export const EQUITY_MAX_POINTS = 2000;
/** Candles simulated between two yields to the event loop (a few ms of CPU: heartbeats and cancel stay timely). */
export const EXECUTOR_CHUNK_CANDLES = 512;
/** Heartbeat period: progress is written and the cancel flag read once per beat (cancel lands well within 1 s). */
export const HEARTBEAT_MS = 200;

export type RunOutcome = 'completed' | 'cancelled' | 'skipped' | 'lease-lost';

/** A failure no retry can fix (bad request, no data, engine invariant); the run is already stored as failed. */
export class BacktestRunFailedError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
    readonly code: string,
    readonly original?: unknown,
  ) {
    super(reason);
    this.name = 'BacktestRunFailedError';
  }
}

/** The worker is stopping: the run went back to `queued` and the job should be retried elsewhere. */
export class BacktestRunReleasedError extends Error {
  constructor(readonly runId: string) {
    super(`backtest ${runId} released: worker shutting down`);
    this.name = 'BacktestRunReleasedError';
  }
}

/** Errors a retry cannot fix: the request or data is wrong, or the engine found a bug. */
export function isPermanentRunError(err: unknown): boolean {
  return err instanceof DomainError || err instanceof StrategySettingsError || err instanceof RangeError || err instanceof LedgerMismatchError;
}

function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof RangeError ? 'BAD_REQUEST' : 'INTERNAL_ERROR';
}

/** Downsamples the per-candle curve: per bucket, its first open time, the equity at its last close, its deepest drawdown. */
export function downsampleEquity(r: Pick<BacktestResult, 'equityTime' | 'equityValue' | 'drawdownPct'>, maxPoints = EQUITY_MAX_POINTS): EquityPoint[] {
  const n = r.equityValue.length;
  const bucket = Math.max(1, Math.ceil(n / maxPoints));
  const out: EquityPoint[] = [];
  for (let i0 = 0; i0 < n; i0 += bucket) {
    const i1 = Math.min(n, i0 + bucket) - 1;
    let dd = 0;
    for (let i = i0; i <= i1; i++) if (r.drawdownPct[i] < dd) dd = r.drawdownPct[i];
    out.push({ time: r.equityTime[i0], equity: r.equityValue[i1], drawdownPct: dd });
  }
  return out;
}

/**
 * Heartbeat of one attempt, on a timer (it also ticks while candles load): writes the progress, reads the cancel
 * flag, notices a lost lease. One query in flight at most.
 */
class AttemptMonitor {
  progress = 0;
  cancelRequested = false;
  leaseLost = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;

  constructor(
    private readonly beat: (progress: number) => Promise<{ cancelRequested: boolean } | null>,
    private readonly stopping: () => boolean,
    private readonly logger: Logger,
    private readonly runId: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), HEARTBEAT_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get shuttingDown(): boolean {
    return this.stopping();
  }

  shouldStop(): boolean {
    return this.cancelRequested || this.leaseLost || this.stopping();
  }

  private tick(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    const progress = Math.floor(this.progress * 10_000) / 10_000;
    this.beat(progress).then(
      (r) => {
        if (!r) this.leaseLost = true;
        else if (r.cancelRequested) this.cancelRequested = true;
        this.inFlight = false;
      },
      (err: unknown) => {
        // a transient database hiccup: keep running, the next beat retries
        this.logger.warn({ msg: 'backtest heartbeat failed', runId: this.runId, error: (err as Error).message });
        this.inFlight = false;
      },
    );
  }
}

/**
 * Runs stored backtests: loads the candles from market_candles, runs the engine with progress and cooperative
 * cancel, and stores metrics, trades, the equity curve and the HTML report in one transaction. Used by the worker
 * (`runQueued`) and by the API's synchronous endpoint (`execute` on a run created already running).
 */
@Injectable()
export class BacktestRunExecutor {
  private readonly logger = new Logger(BacktestRunExecutor.name);

  constructor(
    private readonly runs: BacktestRunsRepository,
    private readonly candles: MarketCandlesRepository,
  ) {}

  /**
   * One delivery of a `backtests.run` job. Claims the run (queued → running, or a running run whose previous
   * attempt died is restarted), executes it and stores the outcome. Throws BacktestRunFailedError for a permanent
   * failure (already stored as failed), BacktestRunReleasedError when `stopping()` turned true mid-run (stored back
   * as queued), and any other error as it came (transient: the queue retries the job).
   */
  async runQueued(runId: string, stopping: () => boolean = () => false): Promise<RunOutcome> {
    const claimId = randomUUID();
    const run = await this.runs.claim(runId, claimId);
    if (!run) {
      const current = await this.runs.findById(runId);
      if (!current) throw new BacktestRunFailedError(runId, `backtest run ${runId} does not exist`, 'NOT_FOUND');
      if ((current.status === 'queued' || current.status === 'running') && current.cancelRequested) {
        await this.runs.finish(runId, null, 'cancelled', null, null);
        this.logger.log({ msg: 'backtest cancelled before it started', runId });
        return 'cancelled';
      }
      this.logger.log({ msg: 'backtest already finished; nothing to do', runId, status: current.status });
      return 'skipped';
    }
    if (run.attempts > 1) this.logger.warn({ msg: 'backtest restarted by a new attempt', runId, attempt: run.attempts });
    return this.execute(run, claimId, stopping);
  }

  /** Executes a run this caller has claimed with `claimId`. */
  async execute(run: BacktestRunRecord, claimId: string, stopping: () => boolean = () => false): Promise<RunOutcome> {
    const req = run.request;
    const monitor = new AttemptMonitor((p) => this.runs.heartbeat(run.id, claimId, p), stopping, this.logger, run.id);
    monitor.start();
    const started = performance.now();
    let result: BacktestResult;
    let cols: CandleColumns;
    try {
      const candles = await this.candles.findRange(req.exchange, req.symbol, req.timeframe as Timeframe, req.from, req.to);
      if (candles.length === 0) throw new NoMarketDataError(req.exchange, req.symbol, req.timeframe, req.from, req.to);
      if (monitor.shouldStop()) throw new BacktestCanceledError(0);
      cols = toColumns(candles);
      result = await runBacktestAsync({
        ...backtestInputOf(req, cols),
        botId: `backtest:${run.id}`,
        progressEvery: EXECUTOR_CHUNK_CANDLES,
        onProgress: (p) => {
          monitor.progress = p.total > 0 ? p.done / p.total : 0;
        },
        shouldCancel: () => monitor.shouldStop(),
      });
    } catch (err) {
      monitor.stop();
      return this.onAttemptError(run, claimId, monitor, err);
    }
    monitor.stop();
    const results: BacktestRunResults = {
      candles: result.metrics.candles,
      finalBalance: result.finalBalance,
      metrics: result.metrics,
      trades: result.trades,
      equity: downsampleEquity(result),
      reportHtml: renderHtmlReport(result, cols, REPORT_CHARTS_PLACEHOLDER),
    };
    const stored = await this.runs.complete(run.id, claimId, results);
    const seconds = (performance.now() - started) / 1000;
    if (!stored) {
      this.logger.warn({ msg: 'backtest finished but its lease was taken over; result discarded', runId: run.id });
      return 'lease-lost';
    }
    this.logger.log({
      msg: 'backtest completed',
      runId: run.id,
      candles: results.candles,
      trades: results.trades.length,
      seconds: Math.round(seconds * 1000) / 1000,
      candlesPerSecond: Math.round(results.candles / Math.max(seconds, 1e-9)),
    });
    return 'completed';
  }

  private async onAttemptError(run: BacktestRunRecord, claimId: string, monitor: AttemptMonitor, err: unknown): Promise<RunOutcome> {
    if (err instanceof BacktestCanceledError) {
      if (monitor.leaseLost) {
        this.logger.warn({ msg: 'backtest lease taken over; attempt stopped', runId: run.id });
        return 'lease-lost';
      }
      if (monitor.cancelRequested) {
        await this.runs.finish(run.id, claimId, 'cancelled', null, null);
        this.logger.log({ msg: 'backtest cancelled', runId: run.id, candlesDone: err.done });
        return 'cancelled';
      }
      if (monitor.shuttingDown) {
        await this.runs.release(run.id, claimId);
        throw new BacktestRunReleasedError(run.id);
      }
    }
    if (isPermanentRunError(err)) {
      const reason = (err as Error).message;
      const code = errorCodeOf(err);
      await this.runs.finish(run.id, claimId, 'failed', reason, code);
      this.logger.warn({ msg: 'backtest failed', runId: run.id, code, error: reason });
      throw new BacktestRunFailedError(run.id, reason, code, err);
    }
    throw err;
  }

  /**
   * Stores `failed` for a run whose job will not run again (retries exhausted, or its job vanished). No-op for a
   * finished run. Returns true when the run was changed.
   */
  async failIfActive(runId: string, reason: string): Promise<boolean> {
    const changed = await this.runs.finish(runId, null, 'failed', reason, 'JOB_FAILED');
    if (changed) this.logger.warn({ msg: 'backtest marked failed', runId, error: reason });
    return changed;
  }

  /** Queued/running async runs older than `before`, for the orphan sweep. */
  activeRunsQueuedBefore(before: Date): Promise<string[]> {
    return this.runs.findActiveQueuedBefore(before);
  }
}
