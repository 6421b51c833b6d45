import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@tb/database';
import { CandleValidationError } from '@tb/market';
import { ROOT } from '../../../../test/support/candles';
import { registerDataCommand } from './data.command';

// `tb data import` against a throwaway database with the market_candles migration applied.
const ADMIN_URL = inject('adminDatabaseUrl') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATION = MIGRATIONS.find((m) => m.name === 'MarketCandles1732320000000')!;
const dbName = `tb_market_cli_${randomBytes(5).toString('hex')}`;
const url = new URL(ADMIN_URL);
url.pathname = `/${dbName}`;
const DB_URL = url.toString();
const FILE = resolve(ROOT, 'data/bybitlinear_BTC-USDT_5m_2025-05.csv');
let ds: DataSource;
let tmp: string;

async function admin(sql: string): Promise<void> {
  const c = new DataSource({ type: 'postgres', url: ADMIN_URL });
  await c.initialize();
  try {
    await c.query(sql);
  } finally {
    await c.destroy();
  }
}

/** Runs `tb <args>` in-process; returns what it wrote to stdout and stderr. */
async function tb(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const program = new Command('tb').exitOverride();
  registerDataCommand(program, { stdout, stderr });
  await program.parseAsync(['node', 'tb', ...args]);
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

async function countRows(symbol: string): Promise<number> {
  const r: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM market_candles WHERE symbol = $1`, [symbol]);
  return r[0].n;
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${dbName}"`);
  ds = new DataSource({ type: 'postgres', url: DB_URL, migrations: [MIGRATION] });
  await ds.initialize();
  await ds.runMigrations();
  tmp = mkdtempSync(join(tmpdir(), 'tb-data-cli-'));
});

afterAll(async () => {
  await ds?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tb data import', () => {
  const args = ['data', 'import', '--exchange', 'bybit', '--symbol', 'BTC/USDT:USDT', '--timeframe', '5m', '--file', FILE, '--database-url', DB_URL];

  it('imports a month of 5m candles, then a re-import changes nothing', async () => {
    const first = JSON.parse((await tb([...args, '--json'])).stdout) as Record<string, unknown>;
    expect(first).toMatchObject({
      exchange: 'bybit',
      symbol: 'BTC/USDT:USDT',
      timeframe: '5m',
      rows: 8928,
      inserted: 8928,
      updated: 0,
      unchanged: 0,
      gaps: 0,
      missing: 0,
      first: Date.UTC(2025, 4, 1),
      last: Date.UTC(2025, 4, 31, 23, 55),
    });
    expect(await countRows('BTC/USDT:USDT')).toBe(8928);

    const again = await tb(args);
    expect(again.stdout).toContain('rows read   8,928 (2025-05-01 00:00 → 2025-05-31 23:55 UTC)');
    expect(again.stdout).toMatch(/inserted\s+0\n/);
    expect(again.stdout).toMatch(/unchanged\s+8,928\n/);
    expect(await countRows('BTC/USDT:USDT')).toBe(8928);

    // Stored values are the file's, to the digit.
    const lastLine = readFileSync(FILE, 'utf8').trimEnd().split('\n').pop()!;
    const [t, o, h, l, c, v] = lastLine.split(',');
    const rows: { o: string; h: string; l: string; c: string; v: string }[] = await ds.query(
      `SELECT open::text o, high::text h, low::text l, close::text c, volume::text v FROM market_candles
       WHERE exchange = 'bybit' AND symbol = 'BTC/USDT:USDT' AND timeframe = '5m' AND time = to_timestamp($1 / 1000.0)`,
      [Number(t)],
    );
    expect(rows[0]).toEqual({ o: String(Number(o)), h: String(Number(h)), l: String(Number(l)), c: String(Number(c)), v: String(Number(v)) });
  });

  it('reports gaps in the summary', async () => {
    const file = resolve(ROOT, 'data/binance_BTC-USDT_5m_2020-12.csv');
    const res = await tb(['data', 'import', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '5m', '--file', file, '--database-url', DB_URL]);
    expect(res.stdout).toMatch(/gaps\s+2 \(58 missing candles\)/);
    expect(res.stdout).toContain('2020-12-21 14:05 → 2020-12-21 18:00  46 missing');
    expect(res.stdout).toMatch(/inserted\s+8,870\n/);
  });

  it('rejects a bad row with its line number and stores nothing from the file', async () => {
    const good = readFileSync(resolve(ROOT, 'data/binance_ETH-USDT_1h_2024-2025.csv'), 'utf8').split('\n');
    // Line 12,001 (1-based, header = line 1) gets high below low; 12,000 earlier rows are valid.
    const f = good[12_000].split(',');
    good[12_000] = [f[0], f[1], String(Number(f[3]) - 1), f[3], f[4], f[5]].join(',');
    const file = join(tmp, 'eth-bad.csv');
    writeFileSync(file, good.join('\n'));
    const err = await tb(['data', 'import', '--exchange', 'binance', '--symbol', 'ETH/USDT', '--timeframe', '1h', '--file', file, '--database-url', DB_URL]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CandleValidationError);
    expect((err as CandleValidationError).line).toBe(12_001);
    expect((err as CandleValidationError).code).toBe('CANDLE_HIGH_BELOW_LOW');
    expect((err as Error).message).toContain(`${file}:12001:`);
    expect(await countRows('ETH/USDT')).toBe(0);
  });

  it('refuses a file whose rows do not fit the timeframe', async () => {
    const err = await tb(['data', 'import', '--exchange', 'bybit', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--file', FILE, '--database-url', DB_URL]).catch(
      (e: unknown) => e,
    );
    expect((err as CandleValidationError).code).toBe('CANDLE_MISALIGNED');
    expect((err as CandleValidationError).line).toBe(3);
  });

  it('tells the user to run migrations when the table is missing', async () => {
    const empty = `tb_market_cli_empty_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE "${empty}"`);
    try {
      const u = new URL(ADMIN_URL);
      u.pathname = `/${empty}`;
      await expect(tb([...args.slice(0, -1), u.toString()])).rejects.toThrow(/migration:run/);
    } finally {
      await admin(`DROP DATABASE IF EXISTS "${empty}" WITH (FORCE)`);
    }
  });
});

describe('tb data gaps', () => {
  it('prints each gap of a file', async () => {
    const res = await tb(['data', 'gaps', '--file', resolve(ROOT, 'data/binance_BTC-USDT_5m_2020-12.csv')]);
    expect(res.stdout.split('\n').slice(1, 4)).toEqual([
      '2 gaps, 58 missing candles',
      '  2020-12-21 14:05 → 2020-12-21 18:00  46 missing',
      '  2020-12-25 01:55 → 2020-12-25 03:00  12 missing',
    ]);
  });
});
