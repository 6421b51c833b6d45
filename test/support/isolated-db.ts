import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { MIGRATIONS } from '@tb/database';
import { runDatabaseName } from './test-env';

/**
 * A database of its own for a test file, migrated like the run's database (or with only `migrations`). For tests
 * whose subject sees the whole database: the OMS reconciler (every unresolved order), key rotation (every
 * account), schema/migration checks, CLI imports.
 */
export async function createIsolatedDatabase(
  adminUrl: string,
  label: string,
  migrations: Function[] = MIGRATIONS,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tb_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (migrations === MIGRATIONS && inject('databaseUrl')) {
    // every migration: a copy of the run's migrated database (~0.1 s instead of running them all again)
    await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${runDatabaseName()}"`);
  } else {
    await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
    const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTransactionMode: 'each' });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
  }
  return {
    url,
    drop: async () => {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * One statement on the admin connection. A copy from the template is retried while PostgreSQL reports the template
 * busy (55006: another copy's or a drop's session still holds it for a moment).
 */
export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: adminUrl });
  await admin.initialize();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(sql);
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== '55006' || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.destroy();
  }
}
