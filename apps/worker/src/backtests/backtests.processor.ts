import { BeforeApplicationShutdown, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfig } from '@tb/config';
import { runWithRequestId } from '@tb/common';
import { BacktestRunExecutor, BacktestRunFailedError, type RunOutcome } from '@tb/backtest-runs';
import { ContractWorker, JobHandlers, PermanentJobError, QueueName, type JobEnvelope } from '@tb/jobs';

/**
 * Lock and stalled-job settings of the backtests queue (BullMQ defaults are 30 s / 30 s).
 * - lockDuration 6 s, renewed every 1.5 s: the engine yields every 512 candles (a few ms), so the renewal timer
 *   is never starved; a killed worker's lock expires at most 6 s after its last renewal.
 * - stalledInterval 2 s: the stalled-job checker marks active jobs and, on its next pass, moves those whose lock
 *   expired back to `wait`. A SIGKILLed worker's run is re-delivered within ~6 + 2×2 = 10 s.
 * - maxStalledCount 1: a run that stalls twice (e.g. it crashes every worker that takes it) fails instead of
 *   looping; the `failed` handler and the sweeper then store `failed` on the run.
 * A falsely detected stall cannot double-write: each attempt holds its own lease (claim_id) on the run.
 */
export const BACKTESTS_WORKER_OPTIONS = { lockDuration: 6_000, lockRenewTime: 1_500, stalledInterval: 2_000, maxStalledCount: 1 } as const;

/** Runs `backtests.run` jobs. Permanent failures (bad request, no data) fail once with the reason stored on the run. */
@Processor(QueueName.Backtests, BACKTESTS_WORKER_OPTIONS)
export class BacktestsProcessor
  extends ContractWorker<typeof QueueName.Backtests>
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected readonly queueName = QueueName.Backtests;
  protected readonly handlers: JobHandlers<typeof QueueName.Backtests> = {
    'backtests.run': (payload) => this.run(payload.runId),
  };
  private stopping = false;

  constructor(
    private readonly executor: BacktestRunExecutor,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.registerHandlers();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.jobs.concurrency;
  }

  /** Before BullMQ closes the worker: running backtests stop at their next chunk and go back to the queue. */
  override async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await super.beforeApplicationShutdown();
  }

  private async run(runId: string): Promise<RunOutcome> {
    try {
      return await this.executor.runQueued(runId, () => this.stopping);
    } catch (err) {
      if (err instanceof BacktestRunFailedError) throw new PermanentJobError(err.message);
      throw err; // transient (database/Redis) or released on shutdown: BullMQ retries with backoff
    }
  }

  /**
   * Every failed attempt lands here. When the job will not run again (retries exhausted, unrecoverable, or failed
   * for stalling too often) the run is stored as failed, so it can never stay `running`.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<JobEnvelope<'backtests.run'>> | undefined, err: Error): Promise<void> {
    const runId = job?.data?.payload?.runId;
    if (!job || !runId) return;
    try {
      const state = await job.getState();
      if (state !== 'failed') return; // delayed/waiting: a retry is coming
      await runWithRequestId(`job-${job.queueName}-${job.id}`, () =>
        this.executor.failIfActive(runId, `job failed after ${job.attemptsMade} attempt(s): ${err.message}`),
      );
    } catch (e) {
      this.logger.warn({ msg: 'could not record a failed backtest job; the sweeper will', runId, error: (e as Error).message });
    }
  }
}
