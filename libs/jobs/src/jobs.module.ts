import { Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '@tb/config';
import { ALL_QUEUES } from './job-contract';
import { JobsProducer } from './jobs.producer';
import { QueuesHealthIndicator } from './queues.health';

/** BullMQ connection options from REDIS_URL (BullMQ owns and closes its connections). */
export function bullConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: bullConnection(config.redis.url),
        prefix: `${config.redis.keyPrefix}:bull`,
      }),
    }),
    ...ALL_QUEUES.map((name) => BullModule.registerQueue({ name })),
    TerminusModule,
  ],
  providers: [JobsProducer, QueuesHealthIndicator],
  exports: [BullModule, JobsProducer, QueuesHealthIndicator],
})
export class JobsModule {}
