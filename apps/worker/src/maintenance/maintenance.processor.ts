import { OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Processor } from '@nestjs/bullmq';
import { AppConfig } from '@tb/config';
import { ContractWorker, JOBS, JobHandlers, JobsProducer, QueueName } from '@tb/jobs';
import { MaintenanceService } from './maintenance.service';

export const PRUNE_SCHEDULER_ID = 'prune-finished-jobs-hourly';

@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends ContractWorker<typeof QueueName.Maintenance> implements OnModuleInit, OnApplicationBootstrap {
  protected readonly queueName = QueueName.Maintenance;
  protected readonly handlers: JobHandlers<typeof QueueName.Maintenance> = {
    'maintenance.prune-finished-jobs': (payload) => this.maintenance.pruneFinishedJobs(payload.retentionS),
  };

  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly jobs: JobsProducer,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.registerHandlers();
  }

  /** The periodic job: a BullMQ job scheduler (stored in Redis, so several workers never double-run it). */
  async onApplicationBootstrap(): Promise<void> {
    const name = 'maintenance.prune-finished-jobs' as const;
    await this.jobs.queue(QueueName.Maintenance).upsertJobScheduler(
      PRUNE_SCHEDULER_ID,
      { every: 3_600_000 },
      { name, data: { payload: { retentionS: this.config.jobs.retentionS } }, opts: JOBS[name].options },
    );
  }
}
