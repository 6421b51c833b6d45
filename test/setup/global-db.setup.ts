import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { MIGRATIONS } from '../../libs/database/src/migrations';

/**
 * Once per test run: a fresh PostgreSQL database with every migration applied, and a Redis key prefix of its own,
 * so that concurrent runs never collide. Both are removed at the end.
 */
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const dbName = `tb_test_${suffix}`;
  const admin = new DataSource({ type: 'postgres', url: ADMIN_URL });
  await admin.initialize();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.destroy();

  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const ds = new DataSource({ type: 'postgres', url: databaseUrl, migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();

  const redisPrefix = `tbtest:${suffix}`;
  project.provide('databaseUrl', databaseUrl);
  project.provide('adminDatabaseUrl', ADMIN_URL);
  project.provide('redisUrl', REDIS_URL);
  project.provide('redisPrefix', redisPrefix);

  return async () => {
    const c = new DataSource({ type: 'postgres', url: ADMIN_URL });
    await c.initialize();
    // the files' own copies (test/support/test-env.ts) that a crashed file left behind, then the run's
    const copies: Array<{ datname: string }> = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${dbName}\\_%`]);
    for (const { datname } of copies) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.destroy();
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  };
}
