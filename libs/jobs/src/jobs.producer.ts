import { Injectable, Logger } from '@nestjs/common';
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
    @InjectQueue(QueueName.Bots) bots: Queue,
  ) {
    this.queues = { [QueueName.Maintenance]: maintenance, [QueueName.Backtests]: backtests, [QueueName.Bots]: bots };
    for (const q of Object.values(this.queues)) {
      // connection errors surface through the health probes; log them once per outage, never crash
      let down = false;
      q.on('error', (err: Error) => {
        if (!down) this.logger.warn({ msg: 'queue connection error', queue: q.name, error: err.message });
        down = true;
      });
    }
  }

  private readonly logger = new Logger(JobsProducer.name);

  async enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options: JobsOptions = {}): Promise<Job<JobEnvelope<K>>> {
    const def = JOBS[name];
    const envelope: JobEnvelope<K> = { payload, requestId: currentRequestId() };
    return (await this.queues[def.queue].add(name, envelope, { ...def.options, ...options })) as Job<JobEnvelope<K>>;
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }
}
