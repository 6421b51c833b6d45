import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TbConfigModule } from '@tb/config';
import { RequestContextModule } from '@tb/common';
import { DatabaseModule, Propagation, Transactional, isRetryableTransactionError, retryDelayMs, sqlStateOf } from '@tb/database';
import { testEnv } from '../../../test/support/test-env';

/** Resolves once `parties` callers have arrived: makes two transactions interleave deterministically. */
function barrier(parties: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return {
    arrive(): Promise<void> {
      arrived += 1;
      if (arrived === parties) release();
      return all;
    },
  };
}

@Injectable()
class LedgerService {
  readonly attempts = new Map<string, number>();
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private count(label: string): number {
    const n = (this.attempts.get(label) ?? 0) + 1;
    this.attempts.set(label, n);
    return n;
  }

  /** Adds 1 to `first` then to `second`; on its first attempt waits at the barrier in between. */
  @Transactional()
  async creditBoth(label: string, first: number, second: number, gate: ReturnType<typeof barrier>): Promise<void> {
    const attempt = this.count(label);
    await this.txHost.tx.query('UPDATE tx_test_accounts SET balance = balance + 1 WHERE id = $1', [first]);
    if (attempt === 1) await gate.arrive();
    await this.txHost.tx.query('UPDATE tx_test_accounts SET balance = balance + 1 WHERE id = $1', [second]);
  }

  /** Write skew under SERIALIZABLE: read the sum of one key, insert it under the other. */
  @Transactional({ isolationLevel: 'SERIALIZABLE' })
  async copySum(label: string, from: string, to: string, gate: ReturnType<typeof barrier>): Promise<void> {
    const attempt = this.count(label);
    const [{ total }] = await this.txHost.tx.query('SELECT COALESCE(SUM(v), 0)::int AS total FROM tx_test_skew WHERE k = $1', [from]);
    if (attempt === 1) await gate.arrive();
    await this.txHost.tx.query('INSERT INTO tx_test_skew (k, v) VALUES ($1, $2)', [to, Number(total) + 1]);
  }

  @Transactional()
  async insertDuplicate(label: string): Promise<void> {
    this.count(label);
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['dup']);
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['dup']);
  }

  @Transactional()
  async outerWithFailingInner(): Promise<string> {
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['outer']);
    try {
      await this.innerSavepoint();
    } catch {
      // the savepoint rolled back only the inner work
    }
    await this.joinOuter();
    return 'done';
  }

  @Transactional({ propagation: Propagation.Nested })
  async innerSavepoint(): Promise<void> {
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['inner']);
    throw new Error('inner failure');
  }

  @Transactional()
  async joinOuter(): Promise<void> {
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['joined']);
  }

  @Transactional()
  async failAfterWrites(): Promise<void> {
    await this.txHost.tx.query('INSERT INTO tx_test_unique (name) VALUES ($1)', ['lost-1']);
    await this.joinOuter();
    throw new Error('business rule violated');
  }
}

@Module({ providers: [LedgerService] })
class LedgerModule {}

describe('@Transactional() on real PostgreSQL', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let ledger: LedgerService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TbConfigModule.forRoot({ env: testEnv({ DB_TX_MAX_ATTEMPTS: '4' }) }), RequestContextModule, DatabaseModule, LedgerModule],
    }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    ledger = app.get(LedgerService);
    await ds.query(`DROP TABLE IF EXISTS tx_test_accounts, tx_test_skew, tx_test_unique`);
    await ds.query(`CREATE TABLE tx_test_accounts (id int PRIMARY KEY, balance numeric NOT NULL)`);
    await ds.query(`CREATE TABLE tx_test_skew (id serial PRIMARY KEY, k text NOT NULL, v int NOT NULL)`);
    await ds.query(`CREATE TABLE tx_test_unique (name text PRIMARY KEY)`);
  });

  afterAll(async () => {
    await ds?.query(`DROP TABLE IF EXISTS tx_test_accounts, tx_test_skew, tx_test_unique`);
    await app?.close();
  });

  beforeEach(async () => {
    ledger.attempts.clear();
    await ds.query('TRUNCATE tx_test_accounts, tx_test_skew, tx_test_unique');
    await ds.query('INSERT INTO tx_test_accounts (id, balance) VALUES (1, 0), (2, 0)');
  });

  it('retries the unit PostgreSQL aborts on a real deadlock (40P01); both commit, no lost update', async () => {
    const gate = barrier(2);
    // A locks row 1 then row 2; B locks row 2 then row 1: a genuine lock cycle.
    await Promise.all([ledger.creditBoth('A', 1, 2, gate), ledger.creditBoth('B', 2, 1, gate)]);
    const rows: Array<{ id: number; balance: string }> = await ds.query('SELECT id, balance FROM tx_test_accounts ORDER BY id');
    expect(rows.map((r) => Number(r.balance))).toEqual([2, 2]);
    const attempts = [ledger.attempts.get('A'), ledger.attempts.get('B')].sort();
    expect(attempts).toEqual([1, 2]); // exactly one unit was aborted and retried as a whole
  });

  it('retries a serialization failure (40001) under SERIALIZABLE, then succeeds', async () => {
    const gate = barrier(2);
    await Promise.all([ledger.copySum('X', 'a', 'b', gate), ledger.copySum('Y', 'b', 'a', gate)]);
    const attempts = [ledger.attempts.get('X'), ledger.attempts.get('Y')].sort();
    expect(attempts).toEqual([1, 2]);
    // The retried unit saw the other's committed row: one value is 1, the other 2 (a serial order exists).
    const rows: Array<{ v: number }> = await ds.query('SELECT v FROM tx_test_skew ORDER BY v');
    expect(rows.map((r) => r.v)).toEqual([1, 2]);
  });

  it('does not retry an error that is not retryable (unique violation): attempt count 1', async () => {
    const err = await ledger.insertDuplicate('U').catch((e: unknown) => e);
    expect(sqlStateOf(err)).toBe('23505');
    expect(ledger.attempts.get('U')).toBe(1);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM tx_test_unique');
    expect(n).toBe(0);
  });

  it('a failing Nested unit rolls back only its savepoint; the outer work commits', async () => {
    await expect(ledger.outerWithFailingInner()).resolves.toBe('done');
    const rows: Array<{ name: string }> = await ds.query('SELECT name FROM tx_test_unique ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(['joined', 'outer']);
  });

  it('an exception in a unit persists nothing, including work of joined inner units', async () => {
    await expect(ledger.failAfterWrites()).rejects.toThrow('business rule violated');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM tx_test_unique');
    expect(n).toBe(0);
  });
});

describe('retry policy', () => {
  it('classifies SQLSTATEs from TypeORM errors', () => {
    expect(isRetryableTransactionError({ driverError: { code: '40P01' } })).toBe(true);
    expect(isRetryableTransactionError({ code: '40001' })).toBe(true);
    expect(isRetryableTransactionError({ code: '23505' })).toBe(false);
    expect(isRetryableTransactionError(new Error('x'))).toBe(false);
  });

  it('backs off exponentially from 0.2 s with ±20% jitter', () => {
    expect(retryDelayMs(1, 200, () => 0.5)).toBe(200);
    expect(retryDelayMs(2, 200, () => 0.5)).toBe(400);
    expect(retryDelayMs(3, 200, () => 0.5)).toBe(800);
    expect(retryDelayMs(1, 200, () => 0)).toBe(160);
    expect(retryDelayMs(1, 200, () => 1)).toBe(240);
  });
});
