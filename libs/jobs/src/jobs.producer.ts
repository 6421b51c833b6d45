import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { currentRequestId } from '@tb/common';
import { JOBS, JobEnvelope, JobName, JobPayloads, QueueName } from './job-contract';

/** The only way code enqueues work: typed by the contract, carrying the current request id. */
@Injectable()
export class JobsProducer {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Backtests) backtests: Queue,
  ) {
    this.queues = { [QueueName.Maintenance]: maintenance, [QueueName.Backtests]: backtests };
  }

  async enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options: JobsOptions = {}): Promise<Job<JobEnvelope<K>>> {
    const def = JOBS[name];
    const envelope: JobEnvelope<K> = { payload, requestId: currentRequestId() };
    return (await this.queues[def.queue].add(name, envelope, { ...def.options, ...options })) as Job<JobEnvelope<K>>;
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }
}
