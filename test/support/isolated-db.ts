import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@tb/database';

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
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTransactionMode: 'each' });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  return {
    url,
    drop: async () => {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: adminUrl });
  await admin.initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}
