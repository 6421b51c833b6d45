import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerInterface } from 'typeorm';

/**
 * TypeORM's logs through the app's JSON logger. Query PARAMETERS are never logged (they can hold password
 * hashes, encrypted secrets or personal data), nor PostgreSQL's `detail` (it echoes key values); the SQL text is
 * truncated. Query logging itself is on only with DB_LOG_QUERIES outside production.
 */
export class TypeOrmJsonLogger implements TypeOrmLoggerInterface {
  private readonly logger = new Logger('TypeORM');

  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string): void {
    if (this.logQueries) this.logger.debug({ msg: 'query', sql: query.slice(0, 500) });
  }

  logQueryError(error: string | Error, query: string): void {
    const e = error as { message?: string; code?: string };
    this.logger.warn({ msg: 'query failed', sqlstate: e.code, error: typeof error === 'string' ? error : e.message, sql: query.slice(0, 500) });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: 'slow query', ms: time, sql: query.slice(0, 500) });
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log({ msg: 'migration', detail: message });
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
