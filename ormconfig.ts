import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig, processEnv } from '@tb/config';
import { buildDataSourceOptions } from '@tb/database';

/**
 * The DataSource for the TypeORM CLI (`npm run migration:run|revert|generate`). Same options as the apps; entities
 * are found by glob here only (the CLI runs the sources through swc), the apps register them explicitly.
 */
export default new DataSource(
  buildDataSourceOptions(loadConfig(processEnv()).database, {
    entities: ['libs/*/src/**/*.entity.ts'],
    applicationName: 'tradingboost-cli',
  }),
);
