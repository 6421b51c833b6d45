import type { JobsOptions } from 'bullmq';

/**
 * The queue contract: every queue, job name, payload type and default option lives here (immich JobName/JobOf).
 * APIs only produce, the worker only consumes; the worker refuses to boot when a job declared here has no handler.
 */
export const QueueName = {
  Maintenance: 'maintenance',
  Backtests: 'backtests',
  Bots: 'bots',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface JobPayloads {
  /** Remove finished jobs older than the retention window from every queue. */
  'maintenance.prune-finished-jobs': { retentionS: number };
  /** Run a stored backtest (`backtest_runs.id`); the job id is the run id, so a run is queued at most once. */
  'backtests.run': { runId: string };
  /**
   * Evaluate a bot: every input it has not seen (fills, closed orders, candles, settings) in order, then send what it
   * decided. Job id `${botId}.${trigger}` (BullMQ ids cannot contain colons) (deterministic: a candle's evaluation is queued once); the evaluation itself
   * is idempotent, so a redelivered job finds nothing new.
   */
  'bots.evaluate': { botId: string; candleAvailableAt?: number };
  /**
   * Evaluate several bots of one feed after a candle close in one transaction (a batch); a bot whose evaluation fails
   * on its own is handed to its own `bots.evaluate` job (retries, then `error`). Job id `${firstBotId}.batch.${candleTime}`.
   */
  'bots.evaluateMany': { botIds: string[]; candleAvailableAt?: number };
  /**
   * Send what a batch decided (its bots' PENDING orders and cancel requests). Queued behind the close's evaluations,
   * so every bot decides first; idempotent (the OMS sends each action once). Job id `${firstBotId}.send.${candleTime}`.
   */
  'bots.send': { botIds: string[]; candleAvailableAt?: number };
  /** Drive a replay bot one step through its stored candles (lockstep with the paper exchange). */
  'bots.replay': { botId: string };
}
export type JobName = keyof JobPayloads;

/** What is stored in BullMQ: the typed payload plus the id of the request that enqueued it (for logs). */
export interface JobEnvelope<K extends JobName = JobName> {
  readonly payload: JobPayloads[K];
  readonly requestId?: string;
}

const DEFAULTS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 86_400, count: 10_000 },
  removeOnFail: { age: 30 * 86_400 },
};

export interface JobDefinition {
  readonly queue: QueueName;
  readonly options: JobsOptions;
}

export const JOBS = {
  'maintenance.prune-finished-jobs': { queue: QueueName.Maintenance, options: { ...DEFAULTS, attempts: 1 } },
  'backtests.run': { queue: QueueName.Backtests, options: { ...DEFAULTS, attempts: 3, backoff: { type: 'exponential', delay: 1000 } } },
  'bots.evaluate': {
    queue: QueueName.Bots,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 250 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 86_400 } },
  },
  'bots.evaluateMany': {
    queue: QueueName.Bots,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 250 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 86_400 } },
  },
  'bots.send': {
    queue: QueueName.Bots,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 250 }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 86_400 } },
  },
  'bots.replay': {
    queue: QueueName.Bots,
    options: { attempts: 20, backoff: { type: 'exponential', delay: 250 }, removeOnComplete: { age: 600, count: 1000 }, removeOnFail: { age: 7 * 86_400 } },
  },
} satisfies { readonly [K in JobName]: JobDefinition };

export type JobsOfQueue<Q extends QueueName> = { [K in JobName]: (typeof JOBS)[K]['queue'] extends Q ? K : never }[JobName];

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
export const ALL_JOBS = Object.keys(JOBS) as JobName[];
