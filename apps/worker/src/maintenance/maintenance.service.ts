import { Injectable, Logger } from '@nestjs/common';
import { ALL_QUEUES, JobsProducer } from '@tb/jobs';

export interface PruneResult {
  readonly removed: Record<string, { completed: number; failed: number }>;
}

/** Removes finished jobs older than the retention window, so Redis does not grow without bound. */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);
  constructor(private readonly jobs: JobsProducer) {}

  async pruneFinishedJobs(retentionS: number): Promise<PruneResult> {
    const removed: PruneResult['removed'] = {};
    for (const name of ALL_QUEUES) {
      const queue = this.jobs.queue(name);
      const completed = await queue.clean(retentionS * 1000, 10_000, 'completed');
      const failed = await queue.clean(retentionS * 1000, 10_000, 'failed');
      removed[name] = { completed: completed.length, failed: failed.length };
    }
    this.logger.log({ msg: 'pruned finished jobs', retentionS, removed });
    return { removed };
  }
}
