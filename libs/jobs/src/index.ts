export * from './job-contract';
export * from './jobs.producer';
export * from './contract-worker';
export * from './queues.health';
export * from './jobs.module';
