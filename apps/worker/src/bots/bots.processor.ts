import { OnModuleInit } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { BotEvaluator, BotMetrics, BotsService, ReplayBusyError, ReplayDriver } from '@tb/bots';
import type { Job } from 'bullmq';
import { OnWorkerEvent } from '@nestjs/bullmq';
import type { JobEnvelope } from '@tb/jobs';
import { ContractWorker, JobHandlers, JobsProducer, QueueName } from '@tb/jobs';
import { AppConfig } from '@tb/config';
import { Clock } from '@tb/common';

/**
 * The bot runtime's jobs. Lock and stall settings as for backtests: a SIGKILLed worker's job is re-delivered within
 * seconds, and every step is idempotent (journal unique per input, orders unique per intent key, paper snapshot).
 */
export const BOTS_WORKER_OPTIONS = { lockDuration: 6_000, lockRenewTime: 1_500, stalledInterval: 2_000, maxStalledCount: 50, concurrency: 4 } as const;

@Processor(QueueName.Bots, BOTS_WORKER_OPTIONS)
export class BotsProcessor extends ContractWorker<typeof QueueName.Bots> implements OnModuleInit {
  protected readonly queueName = QueueName.Bots;
  protected readonly handlers: JobHandlers<typeof QueueName.Bots> = {
    'bots.evaluate': (p) =>
      this.evaluator.evaluate(p.botId, { now: this.clock.now(), maxCandleAgeMs: this.config.bots.maxCandleAgeMs, candleAvailableAt: p.candleAvailableAt }),
    'bots.evaluateMany': (p) => this.evaluateMany(p.botIds, p.candleAvailableAt),
    'bots.send': async (p) => {
      await this.evaluator.send(p.botIds, p.candleAvailableAt);
      return { bots: p.botIds.length };
    },
    'bots.replay': (p) => this.replay(p.botId),
  };

  constructor(
    private readonly evaluator: BotEvaluator,
    private readonly driver: ReplayDriver,
    private readonly jobs: JobsProducer,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly bots: BotsService,
    private readonly metrics: BotMetrics,
  ) {
    super();
  }

  /** A bot whose evaluation or replay failed every retry (exchange down for good, a bug) moves to `error` with the reason. */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<JobEnvelope<'bots.evaluate' | 'bots.replay'>> | undefined, err: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const botId = job.data?.payload?.botId;
    if (!botId) return;
    this.metrics.failed(job.name);
    try {
      await this.bots.fail(botId, `${job.name} failed ${job.attemptsMade} times: ${err.message}`);
    } catch (e) {
      this.logger.warn({ msg: 'could not move the bot to error', botId, error: (e as Error).message });
    }
  }

  onModuleInit(): void {
    this.registerHandlers();
  }

  /** A feed's batch; a bot that fails on its own goes to its own job (its retries, then `error`), the rest are done. */
  private async evaluateMany(botIds: string[], candleAvailableAt: number | undefined): Promise<unknown> {
    const options = { now: this.clock.now(), maxCandleAgeMs: this.config.bots.maxCandleAgeMs, candleAvailableAt };
    const { results, failed, toSend } = await this.evaluator.evaluateMany(botIds, options, 'later');
    // sent by a job queued behind the rest of the close's evaluations: every bot of the close decides first
    if (toSend.length) await this.jobs.enqueue('bots.send', { botIds: toSend, candleAvailableAt }, { jobId: `${botIds[0]}.send.${candleAvailableAt ?? 0}` });
    for (const [botId, err] of failed) {
      this.logger.warn({ msg: 'bot evaluation failed in its batch: retried on its own', botId, error: err.message });
      await this.jobs.enqueue('bots.evaluate', { botId, candleAvailableAt }, { jobId: `${botId}.alone.${botIds[0]}.${candleAvailableAt ?? 0}` });
    }
    return { evaluated: results.size, failed: failed.size };
  }

  private async replay(botId: string): Promise<unknown> {
    let outcome;
    try {
      outcome = await this.driver.step(botId);
    } catch (e) {
      if (e instanceof ReplayBusyError) return { busy: true }; // the process holding the lease goes on
      throw e;
    }
    if (outcome.kind === 'more') {
      // the next chunk: unique per progress, so a redelivered job never forks a second chain
      await this.jobs.enqueue('bots.replay', { botId }, { jobId: `${botId}.replay.${outcome.barTime}.${outcome.decisions}`, delay: outcome.delayMs });
    }
    return outcome;
  }
}
