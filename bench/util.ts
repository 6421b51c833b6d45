import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/** What the bench sections share: the machine's load average as printed, percentiles, a sleep, one admin statement. */

export const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

/** The p-th percentile of an ascending list (nearest rank). */
export const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One statement on its own connection (CREATE / DROP DATABASE cannot run in a pool's transaction). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    await ds.query(sql);
  } finally {
    await ds.destroy();
  }
}

/** A database of the bench's own next to `databaseUrl` (created and dropped from the maintenance database). */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

export function benchDatabase(databaseUrl: string, tag: string): BenchDatabase {
  const name = `tb_bench_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    create: () => adminQuery(admin.toString(), `CREATE DATABASE "${name}"`),
    drop: () => adminQuery(admin.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined),
  };
}
