import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@tb/database';
import type { Candle } from '@tb/strategies';
import { readCandlesCsv } from '../../../../test/support/candles';
import { MarketCandleEntity } from './market-candle.entity';
import { MarketCandlesRepository } from './market-candles.repository';
import { createIsolatedDatabase } from '../../../../test/support/isolated-db';
import { testEnv } from '../../../../test/support/test-env';
import { Test, type TestingModule } from '@nestjs/testing';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule } from '@tb/database';
import { MarketModule } from './market.module';

// A throwaway database of our own with only the market_candles migration applied.
const ADMIN_URL = inject('adminDatabaseUrl') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATION = MIGRATIONS.find((m) => m.name === 'MarketCandles1732320000000')!;
let ds: DataSource;
let repo: MarketCandlesRepository;

const BTC_1H = 'data/binance_BTC-USDT_1h_2024-2025.csv';
const H = 3_600_000;

let db: { url: string; drop: () => Promise<void> };
let moduleRef: TestingModule;

/** The market lib as the apps load it (config, DatabaseModule with its TransactionHost, MarketModule) on our database. */
function marketModule(): Promise<TestingModule> {
  return Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv({ DATABASE_URL: db.url }) }), DatabaseModule, MarketModule] }).compile();
}

beforeAll(async () => {
  db = await createIsolatedDatabase(ADMIN_URL, 'market', []);
  ds = new DataSource({ type: 'postgres', url: db.url, migrations: [MIGRATION], entities: [MarketCandleEntity] });
  await ds.initialize();
  await ds.runMigrations();
  moduleRef = await marketModule();
  repo = moduleRef.get(MarketCandlesRepository);
});

afterAll(async () => {
  await moduleRef?.close();
  await ds?.destroy();
  await db?.drop();
});

describe('market_candles schema', () => {
  it('entity and migration describe the same table (TypeORM sees nothing to change)', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('the table enforces candle consistency as a last line of defence', async () => {
    await expect(
      ds.query(`INSERT INTO market_candles (exchange, symbol, timeframe, time, open, high, low, close, volume)
                VALUES ('x', 'A/B', '1h', now(), 10, 9, 11, 10, 1)`),
    ).rejects.toThrow(/chk_market_candles_prices/);
    await expect(
      ds.query(`INSERT INTO market_candles (exchange, symbol, timeframe, time, open, high, low, close, volume)
                VALUES ('x', 'A/B', '1h', now(), 10, 11, 9, 10, -1)`),
    ).rejects.toThrow(/chk_market_candles_volume/);
  });
});

describe('MarketCandlesRepository', () => {
  const btc = readCandlesCsv(BTC_1H); // the committed file (test/support)

  it('bulk upsert is idempotent: a second import of the same 17,544 candles changes nothing', async () => {
    const first = await repo.upsert('binance', 'BTC/USDT', '1h', btc);
    expect(first).toEqual({ inserted: 17_544, updated: 0, unchanged: 0 });
    const updatedAt: { max: Date }[] = await ds.query(`SELECT max(updated_at) AS max FROM market_candles`);
    const again = await repo.upsert('binance', 'BTC/USDT', '1h', btc);
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 17_544 });
    expect(await repo.count('binance', 'BTC/USDT', '1h')).toBe(17_544);
    const after: { max: Date }[] = await ds.query(`SELECT max(updated_at) AS max FROM market_candles`);
    expect(after[0].max).toEqual(updatedAt[0].max); // unchanged rows were not rewritten
  });

  it('stores the decimal text exactly and reads back the same numbers', async () => {
    const rows: { open: string; high: string; low: string; close: string; volume: string; t: string }[] = await ds.query(
      `SELECT open::text, high::text, low::text, close::text, volume::text, (extract(epoch from time) * 1000)::bigint::text AS t
       FROM market_candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1h' ORDER BY time LIMIT 1`,
    );
    // First line of the CSV: 1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108
    expect(rows[0]).toEqual({ t: '1704067200000', open: '42283.58', high: '42554.57', low: '42261.02', close: '42475.23', volume: '1271.68108' });
    const back = await repo.findRange('binance', 'BTC/USDT', '1h', 0, Number.MAX_SAFE_INTEGER);
    expect(back.length).toBe(btc.length);
    expect(back).toEqual(btc); // every value of two years, bit for bit
  });

  it('ON CONFLICT updates a candle whose values changed, and only that one', async () => {
    const changed: Candle[] = btc.slice(100, 110).map((c) => ({ ...c }));
    expect(changed[3].close).not.toBe(changed[3].high);
    changed[3] = { ...changed[3], close: changed[3].high, volume: 0.00000001 };
    const res = await repo.upsert('binance', 'BTC/USDT', '1h', changed);
    expect(res).toEqual({ inserted: 0, updated: 1, unchanged: 9 });
    const [got] = await repo.findRange('binance', 'BTC/USDT', '1h', changed[3].time, changed[3].time + H);
    expect(got).toEqual(changed[3]);
    const text: { volume: string }[] = await ds.query(
      `SELECT volume::text FROM market_candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1h' AND time = to_timestamp($1 / 1000.0)`,
      [changed[3].time],
    );
    expect(Number(text[0].volume)).toBe(1e-8);
    await repo.upsert('binance', 'BTC/USDT', '1h', [btc[103]]); // restore
  });

  it('findRange is half-open [from, to) and never mixes series', async () => {
    await repo.upsert('binance', 'BTC/USDT', '4h', [{ time: btc[0].time, open: 1, high: 2, low: 1, close: 2, volume: 3 }]);
    await repo.upsert('bybit', 'BTC/USDT', '1h', [{ time: btc[0].time, open: 5, high: 6, low: 5, close: 6, volume: 7 }]);
    const t0 = btc[0].time;
    const r = await repo.findRange('binance', 'BTC/USDT', '1h', t0 + 10 * H, t0 + 20 * H);
    expect(r.map((c) => c.time)).toEqual(btc.slice(10, 20).map((c) => c.time));
    expect(r).toEqual(btc.slice(10, 20));
    expect(await repo.findRange('binance', 'BTC/USDT', '1h', t0 + 10 * H, t0 + 10 * H)).toEqual([]);
    expect(await repo.findRange('binance', 'BTC/USDT', '1h', t0 + 10 * H + 1, t0 + 11 * H + 1)).toEqual([btc[11]]);
    expect(await repo.findRange('binance', 'BTC/USDT', '1h', t0 - 5 * H, t0 + 1)).toEqual([btc[0]]);
    expect(await repo.findRange('binance', 'BTC/USDT', '4h', 0, Number.MAX_SAFE_INTEGER)).toHaveLength(1);
    expect(await repo.findRange('binance', 'ETH/USDT', '1h', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await repo.count('bybit', 'BTC/USDT', '1h')).toBe(1);
  });

  it('latestTime is the newest open time, null for an empty series', async () => {
    expect(await repo.latestTime('binance', 'BTC/USDT', '1h')).toBe(Date.UTC(2025, 11, 31, 23));
    expect(await repo.latestTime('binance', 'SOL/USDT', '1h')).toBeNull();
  });

  it('keeps millisecond precision and accepts unsorted input with repeats (the last wins)', async () => {
    const t = 1704067200123;
    const res = await repo.upsert('test', 'MS/USDT', '1m', [
      { time: t + 60_000, open: 3, high: 3, low: 3, close: 3, volume: 1 },
      { time: t, open: 1, high: 1, low: 1, close: 1, volume: 1 },
      { time: t, open: 2, high: 2, low: 2, close: 2, volume: 2 },
    ]);
    expect(res).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    const got = await repo.findRange('test', 'MS/USDT', '1m', t, t + 1);
    expect(got).toEqual([{ time: t, open: 2, high: 2, low: 2, close: 2, volume: 2 }]);
  });

  it('upsertStream stores nothing when the source fails half-way (one transaction)', async () => {
    const eth = readCandlesCsv('data/binance_ETH-USDT_1h_2024-2025.csv');
    async function* failing(): AsyncGenerator<readonly Candle[]> {
      yield eth.slice(0, 5000);
      yield eth.slice(5000, 10_000);
      throw new Error('line 10002: bad row');
    }
    const seen: number[] = [];
    await expect(repo.upsertStream('binance', 'ETH/USDT', '1h', failing(), (t) => seen.push(t.inserted))).rejects.toThrow(/line 10002/);
    expect(seen).toEqual([5000, 10_000]);
    expect(await repo.count('binance', 'ETH/USDT', '1h')).toBe(0);

    async function* ok(): AsyncGenerator<readonly Candle[]> {
      for (let i = 0; i < eth.length; i += 5000) yield eth.slice(i, i + 5000);
    }
    expect(await repo.upsertStream('binance', 'ETH/USDT', '1h', ok())).toEqual({ inserted: eth.length, updated: 0, unchanged: 0 });
    expect(await repo.count('binance', 'ETH/USDT', '1h')).toBe(eth.length);
  });

  it('upsertStream rolls back and closes the source when the database rejects a batch', async () => {
    const sol = readCandlesCsv('data/binance_ETH-USDT_1h_2024-2025.csv').slice(0, 30);
    let closed = false;
    let pulled = 0;
    async function* source(): AsyncGenerator<readonly Candle[]> {
      try {
        for (let i = 0; i < 3; i++) {
          pulled++;
          const batch = sol.slice(i * 10, i * 10 + 10).map((c) => ({ ...c }));
          if (i === 1) batch[4] = { ...batch[4], high: batch[4].low / 2 }; // violates chk_market_candles_prices
          yield batch;
        }
      } finally {
        closed = true;
      }
    }
    await expect(repo.upsertStream('binance', 'SOL/USDT', '1h', source())).rejects.toThrow(/chk_market_candles_prices/);
    expect(closed).toBe(true);
    expect(pulled).toBeLessThanOrEqual(3);
    expect(await repo.count('binance', 'SOL/USDT', '1h')).toBe(0);
  });

  it('migration down drops the table and up recreates it', async () => {
    expect(await repo.tableExists()).toBe(true);
    await ds.undoLastMigration();
    expect(await repo.tableExists()).toBe(false);
    await ds.runMigrations();
    expect(await repo.tableExists()).toBe(true);
    expect(await repo.count('binance', 'BTC/USDT', '1h')).toBe(0);
  });
});

describe('MarketModule', () => {
  it('provides the repository and the import service through Nest DI', async () => {
    const { CandleImportService } = await import('./candle-import.service');
    const moduleRef = await marketModule();
    try {
      const injected = moduleRef.get(MarketCandlesRepository);
      expect(await injected.tableExists()).toBe(true);
      expect(moduleRef.get(CandleImportService)).toBeInstanceOf(CandleImportService);
    } finally {
      await moduleRef.close();
    }
  });
});
