import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JobsProducer } from './jobs.producer';
import { ALL_QUEUES } from './job-contract';

/** `queues` health: each queue's Redis answers (job counts) within the timeout. */
@Injectable()
export class QueuesHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly producer: JobsProducer,
  ) {}

  async check(key: string, timeoutMs: number) {
    const indicator = this.health.check(key);
    try {
      const counts = await Promise.race([
        Promise.all(ALL_QUEUES.map(async (q) => [q, await this.producer.queue(q).getJobCounts('waiting', 'active', 'failed')] as const)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`queues did not answer within ${timeoutMs} ms`)), timeoutMs).unref()),
      ]);
      return indicator.up({ queues: Object.fromEntries(counts) });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
