import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConflictError, DomainError, ErrorCode } from '@tb/common';
import { AppConfig } from '@tb/config';
import { JobsProducer, QueueName } from '@tb/jobs';
import { MarketCandlesRepository } from '@tb/market';
import type { Timeframe } from '@tb/strategies';
import { loadChartsLibrary } from '@tb/backtest';
import type { BacktestRunStatus } from './backtest-run.entity';
import { BacktestRunExecutor, BacktestRunFailedError, REPORT_CHARTS_PLACEHOLDER } from './backtest-run.executor';
import { candlesInRange, normalizeBacktestRequest, type BacktestApiStrategy, type BacktestRunRequest } from './backtest-run.request';
import {
  BacktestNotCancellableError,
  BacktestRunNotFoundError,
  BacktestTooLargeError,
  InvalidBacktestRequestError,
  NoMarketDataError,
} from './backtest-runs.errors';
import { BacktestRunsRepository, type BacktestRunFilter, type BacktestRunRecord } from './backtest-runs.repository';
import type { TradeRecord, EquityPoint } from '@tb/backtest';

/** What the HTTP layer hands over (the DTO's fields; times still ISO strings). */
export interface BacktestSubmission {
  readonly strategy: BacktestApiStrategy;
  readonly exchange: string;
  readonly symbol: string;
  readonly marketType?: 'spot' | 'perp';
  readonly timeframe: Timeframe;
  readonly from: string;
  readonly to: string;
  readonly settings?: Record<string, unknown>;
  readonly initialBalance?: number;
  readonly feeMaker?: number;
  readonly feeTaker?: number;
  readonly slippage?: number;
  readonly leverage?: number;
  readonly maintenanceMarginRate?: number;
  readonly limitFill?: 'through' | 'touch';
  readonly tickSize?: number;
  readonly amountStep?: number;
  readonly minNotional?: number;
}

export interface BacktestRunDetails {
  readonly run: BacktestRunRecord;
  /** Set when the run is completed. */
  readonly trades: TradeRecord[] | null;
  readonly equity: EquityPoint[] | null;
}

const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * The backtest API: submit (validated, then queued for the worker), synchronous runs for small ranges, status and
 * results, history, cooperative cancel and the HTML report. Every read is scoped by the caller's user id.
 */
@Injectable()
export class BacktestRunsService {
  private readonly logger = new Logger(BacktestRunsService.name);

  constructor(
    private readonly runs: BacktestRunsRepository,
    private readonly executor: BacktestRunExecutor,
    private readonly jobs: JobsProducer,
    private readonly config: AppConfig,
    private readonly candles: MarketCandlesRepository,
  ) {}

  /** Validates everything that can be known before running (settings, range, data present); 400/422 otherwise. */
  private async prepare(submission: BacktestSubmission): Promise<BacktestRunRequest> {
    const from = Date.parse(submission.from);
    const to = Date.parse(submission.to);
    const issues: Array<{ field: string; messages: string[] }> = [];
    if (!(from >= EARLIEST && from < LATEST)) issues.push({ field: 'from', messages: ['from must be between 2000-01-01 and 2100-01-01'] });
    if (!(to > EARLIEST && to <= LATEST)) issues.push({ field: 'to', messages: ['to must be between 2000-01-01 and 2100-01-01'] });
    if (issues.length === 0 && !(from < to)) issues.push({ field: 'to', messages: ['to must be later than from'] });
    if (issues.length > 0) throw new InvalidBacktestRequestError('Request validation failed', issues);
    const request = normalizeBacktestRequest({ ...submission, from, to });
    if (!(await this.candles.hasCandles(request.exchange, request.symbol, request.timeframe, request.from, request.to))) {
      throw new NoMarketDataError(request.exchange, request.symbol, request.timeframe, request.from, request.to);
    }
    return request;
  }

  /** Stores the run as queued and enqueues `backtests.run` (job id = run id). */
  async submit(userId: string, submission: BacktestSubmission): Promise<BacktestRunRecord> {
    const request = await this.prepare(submission);
    const run = await this.runs.insert(userId, request, 'async');
    try {
      await this.jobs.enqueue('backtests.run', { runId: run.id }, { jobId: run.id });
    } catch (err) {
      // never leave a queued run that no job will ever pick up
      await this.runs.finish(run.id, null, 'failed', `could not queue the run: ${(err as Error).message}`, ErrorCode.ServiceUnavailable);
      throw new DomainError(ErrorCode.ServiceUnavailable, 'the backtest queue is unavailable; try again later', { id: run.id });
    }
    this.logger.log({ msg: 'backtest queued', runId: run.id, userId, strategy: request.strategy, symbol: request.symbol, timeframe: request.timeframe });
    return run;
  }

  /**
   * Runs a small range inside the request (rejected with 400 BACKTEST_TOO_LARGE above BACKTEST_SYNC_MAX_CANDLES
   * candles, counted from the range). The run is stored like any other (mode 'sync'), so its report can be fetched.
   */
  async runSync(userId: string, submission: BacktestSubmission): Promise<BacktestRunDetails> {
    const from = Date.parse(submission.from);
    const to = Date.parse(submission.to);
    const max = this.config.backtest.syncMaxCandles;
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) {
      const n = candlesInRange({ from, to, timeframe: submission.timeframe });
      if (n > max) throw new BacktestTooLargeError(n, max);
    }
    const request = await this.prepare(submission);
    const claimId = randomUUID();
    const run = await this.runs.insert(userId, request, 'sync', claimId);
    try {
      await this.executor.execute(run, claimId);
    } catch (err) {
      if (err instanceof BacktestRunFailedError) throw err.original instanceof DomainError ? err.original : new DomainError(ErrorCode.BadRequest, err.reason);
      await this.runs.finish(run.id, claimId, 'failed', (err as Error).message, ErrorCode.Internal).catch(() => undefined);
      throw err;
    }
    return this.get(userId, run.id);
  }

  async get(userId: string, id: string): Promise<BacktestRunDetails> {
    const run = await this.runs.findForUser(userId, id);
    if (!run) throw new BacktestRunNotFoundError(id);
    if (run.status !== 'completed') return { run, trades: null, equity: null };
    const [trades, equity] = await Promise.all([this.runs.findTrades(id), this.runs.findEquity(id)]);
    return { run, trades, equity };
  }

  list(userId: string, filter: BacktestRunFilter, limit: number, offset: number): Promise<{ items: BacktestRunRecord[]; total: number }> {
    return this.runs.listForUser(userId, filter, limit, offset);
  }

  /**
   * Cooperative cancel: a queued run is cancelled at once (and its job removed); a running run gets the flag its
   * worker polls (it stops within a second). Cancelling a cancelled run is a no-op; a completed or failed one → 409.
   */
  async cancel(userId: string, id: string): Promise<BacktestRunRecord> {
    if (await this.runs.cancelQueued(userId, id)) {
      await this.jobs
        .queue(QueueName.Backtests)
        .remove(id)
        .catch(() => undefined); // active or gone: the worker skips a cancelled run anyway
      this.logger.log({ msg: 'queued backtest cancelled', runId: id, userId });
    } else if (await this.runs.requestCancel(userId, id)) {
      this.logger.log({ msg: 'cancel requested for running backtest', runId: id, userId });
    }
    const run = await this.runs.findForUser(userId, id);
    if (!run) throw new BacktestRunNotFoundError(id);
    const status: BacktestRunStatus = run.status;
    if (status === 'completed' || status === 'failed') throw new BacktestNotCancellableError(id, status);
    return run;
  }

  /** The self-contained HTML report of a completed run. */
  async reportHtml(userId: string, id: string): Promise<string> {
    const html = await this.runs.findReportHtml(userId, id);
    if (html === null) {
      const run = await this.runs.findForUser(userId, id);
      if (!run) throw new BacktestRunNotFoundError(id);
      throw new ConflictError(`backtest ${id} is ${run.status}; its report exists once it is completed`, { id, status: run.status });
    }
    const charts = await loadChartsLibrary();
    return html.replace(REPORT_CHARTS_PLACEHOLDER, () => charts);
  }
}
