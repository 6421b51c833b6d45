import { Logger } from '@nestjs/common';
import { WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { runWithRequestId } from '@tb/common';
import { ALL_JOBS, JOBS, JobEnvelope, JobName, JobsOfQueue, QueueName } from './job-contract';

export type JobHandlers<Q extends QueueName> = {
  readonly [K in JobsOfQueue<Q>]: (payload: import('./job-contract').JobPayloads[K], job: Job<JobEnvelope<K>>) => Promise<unknown>;
};

/** Thrown by handlers for failures that a retry cannot fix (bad request, missing data): no retry. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * Throws (failing boot) when a job of the contract has no handler among these workers — the application's own
 * processors (the worker finds them with Nest's DiscoveryService), so one application's handlers never count for
 * another in the same process.
 */
export function assertEveryJobHandled(workers: Iterable<{ handledJobs(): readonly JobName[] }>): void {
  const handled = new Set<JobName>();
  for (const w of workers) for (const name of w.handledJobs()) handled.add(name);
  const missing = ALL_JOBS.filter((j) => !handled.has(j));
  if (missing.length > 0) throw new Error(`worker has no handler for job(s): ${missing.join(', ')}`);
}

/**
 * Base class of the worker's processors: dispatches by job name to a handler map that the type system forces to
 * be complete for the queue, runs each job in a context carrying the enqueuing request's id, and classifies
 * failures (PermanentJobError → UnrecoverableError, no retry; anything else → retried with backoff).
 */
export abstract class ContractWorker<Q extends QueueName> extends WorkerHost {
  protected abstract readonly queueName: Q;
  protected abstract readonly handlers: JobHandlers<Q>;
  protected readonly logger = new Logger(this.constructor.name);

  /**
   * Graceful shutdown: stop taking jobs and wait for the active ones, before any onApplicationShutdown closes the
   * database pool and Redis under them (@nestjs/bullmq would close the worker only then). Subclasses that override
   * this call super.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = (this as unknown as { _worker?: { close(): Promise<void> } })._worker; // unset if never registered
    await worker?.close();
  }

  /** Called by subclasses' onModuleInit (after fields are initialised): every handler belongs to this queue. */
  protected registerHandlers(): void {
    for (const name of this.handledJobs()) {
      if (JOBS[name].queue !== this.queueName) throw new Error(`job ${name} does not belong to queue ${this.queueName}`);
    }
  }

  /** The jobs this processor handles (its handler map's keys). */
  handledJobs(): JobName[] {
    return Object.keys(this.handlers) as JobName[];
  }

  async process(job: Job<JobEnvelope>): Promise<unknown> {
    const handler = (this.handlers as Record<string, (p: unknown, j: Job) => Promise<unknown>>)[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name} on queue ${this.queueName}`);
    const requestId = job.data?.requestId ?? `job-${job.queueName}-${job.id}`;
    return runWithRequestId(requestId, async () => {
      this.logger.log({ msg: 'job started', jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
      try {
        const result = await handler(job.data.payload, job);
        this.logger.log({ msg: 'job completed', jobId: job.id, job: job.name });
        return result;
      } catch (err) {
        const permanent = err instanceof PermanentJobError || err instanceof UnrecoverableError;
        this.logger.warn({ msg: 'job failed', jobId: job.id, job: job.name, permanent, error: (err as Error).message });
        if (permanent) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    });
  }
}
