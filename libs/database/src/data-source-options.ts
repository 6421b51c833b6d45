import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@tb/config';
import { MIGRATIONS } from './migrations';
import { TypeOrmJsonLogger } from './typeorm.logger';

/**
 * The one definition of our PostgreSQL DataSource, shared by the apps (via TypeOrmModule), ormconfig.ts (TypeORM
 * CLI) and the test setup. `synchronize` is never on: the schema changes only through committed migrations.
 */
export function buildDataSourceOptions(
  db: AppConfig['database'],
  extra: { entities?: DataSourceOptions['entities']; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    entities: extra.entities ?? [],
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: db.logQueries ? ['query', 'error', 'warn', 'migration'] : ['error', 'warn', 'migration'],
    logger: new TypeOrmJsonLogger(db.logQueries),
    maxQueryExecutionTime: 2000,
    poolSize: db.poolSize,
    extra: {
      max: db.poolSize,
      connectionTimeoutMillis: db.poolTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: extra.applicationName ?? 'tradingboost',
    },
  };
}
