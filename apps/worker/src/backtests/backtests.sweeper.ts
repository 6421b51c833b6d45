import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { runWithRequestId } from '@tb/common';
import { BacktestRunExecutor } from '@tb/backtest-runs';
import { JobsProducer, QueueName } from '@tb/jobs';
import { InFlight } from '../shutdown/in-flight';

/** Runs queued longer than this without a live job are orphans (covers the enqueue → insert race). */
export const ORPHAN_GRACE_MS = 60_000;
export const SWEEP_INTERVAL_MS = 30_000;

/**
 * Safety net behind the processor's `failed` handler: a queued/running run whose BullMQ job is gone, failed or
 * completed (Redis flushed, handler missed while the database was down) is stored as failed, so no run stays
 * `running` forever. Runs at boot and every 30 s; cheap (one indexed query, one Redis lookup per active run).
 */
@Injectable()
export class BacktestsSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BacktestsSweeper.name);
  private running = false;
  private stopping = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly executor: BacktestRunExecutor,
    private readonly jobs: JobsProducer,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
  }

  /** @Interval stops with the scheduler; a sweep in flight is awaited before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.inFlight.drain();
  }

  @Interval(SWEEP_INTERVAL_MS)
  async sweep(): Promise<number> {
    if (this.running || this.stopping) return 0;
    this.running = true;
    try {
      return await this.inFlight.track(runWithRequestId(`sweep-backtests-${Date.now()}`, async () => {
        const queue = this.jobs.queue(QueueName.Backtests);
        let failed = 0;
        for (const runId of await this.executor.activeRunsQueuedBefore(new Date(Date.now() - ORPHAN_GRACE_MS))) {
          const job = await queue.getJob(runId);
          const state = job ? await job.getState() : 'missing';
          if (state === 'missing' || state === 'failed' || state === 'completed' || state === 'unknown') {
            if (await this.executor.failIfActive(runId, `backtest job is ${state}; the run cannot continue`)) failed++;
          }
        }
        return failed;
      }));
    } catch (err) {
      this.logger.warn({ msg: 'backtest sweep failed', error: (err as Error).message });
      return 0;
    } finally {
      this.running = false;
    }
  }
}
