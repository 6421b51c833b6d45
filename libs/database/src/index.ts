export * from './data-source-options';
export * from './typeorm.logger';
export * from './transactional';
export * from './pool-monitor';
export * from './database.health';
export * from './database.module';
export * from './migrations';
export { TransactionHost, InjectTransaction } from '@nestjs-cls/transactional';
export type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
