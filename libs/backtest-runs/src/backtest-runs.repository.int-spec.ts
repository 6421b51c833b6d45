import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule, TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { BacktestMetrics, TradeRecord } from '@tb/backtest';
import { normalizeBacktestRequest } from './backtest-run.request';
import { BacktestRunsRepository } from './backtest-runs.repository';
import { insertUser } from '../../../test/support/factories';
import { testEnv } from '../../../test/support/test-env';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const request = () => normalizeBacktestRequest({ strategy: 'hyperrsi', exchange: 'btrepo', symbol: 'BTC/USDT', timeframe: '1h', from: T0, to: T0 + 100 * H });
const trade: TradeRecord = {
  entryTime: T0 + 2 * H,
  exitTime: T0 + 5 * H,
  side: 'long',
  entryPrice: 42283.58,
  exitPrice: 42554.57,
  qty: 0.0123,
  dcaCount: 1,
  pnl: 3.333,
  pnlPct: 0.64,
  fees: 0.52,
  funding: -0.01,
  reason: 'tp1',
  entryTag: 'entry',
  durationMs: 3 * H,
} as TradeRecord;

/** The stored-runs repository on the real PostgreSQL: the attempt lease, cancel paths and the stored results. */
describe('BacktestRunsRepository', () => {
  let moduleRef: TestingModule;
  let repo: BacktestRunsRepository;
  let ds: DataSource;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), DatabaseModule] }).compile();
    repo = new BacktestRunsRepository(moduleRef.get<TransactionHost<TransactionalAdapterTypeOrm>>(TransactionHost));
    ds = moduleRef.get(DataSource);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('a second claim takes the lease over: the first attempt can neither heartbeat nor complete', async () => {
    const userId = await insertUser(ds);
    const run = await repo.insert(userId, request(), 'async');
    expect(run.status).toBe('queued');
    const first = randomUUID();
    const second = randomUUID();
    expect((await repo.claim(run.id, first))?.attempts).toBe(1);
    expect(await repo.heartbeat(run.id, first, 0.5)).toEqual({ cancelRequested: false });
    expect((await repo.claim(run.id, second))?.attempts).toBe(2); // the first attempt died: re-delivered
    expect(await repo.heartbeat(run.id, first, 0.6)).toBeNull();
    const results = { candles: 100, finalBalance: 10_003.333, metrics: { trades: 1 } as unknown as BacktestMetrics, trades: [trade], equity: [{ time: T0, equity: 10_000, drawdownPct: 0 }], reportHtml: '<html></html>' };
    expect(await repo.complete(run.id, first, results)).toBe(false);
    expect(await repo.findTrades(run.id)).toEqual([]);
    expect(await repo.complete(run.id, second, results)).toBe(true);
    const done = await repo.findForUser(userId, run.id);
    expect(done).toMatchObject({ status: 'completed', progress: 1, candles: 100, finalBalance: 10_003.333 });
    expect(await repo.findTrades(run.id)).toEqual([trade]);
    expect(await repo.findEquity(run.id)).toEqual([{ time: T0, equity: 10_000, drawdownPct: 0 }]);
    expect(await repo.findReportHtml(userId, run.id)).toBe('<html></html>');
    expect(await repo.findReportHtml(await insertUser(ds), run.id)).toBeNull();
  });

  it('cancel: a queued run at once and never claimed after; a running one by its flag; release gives a run back', async () => {
    const userId = await insertUser(ds);
    const queued = await repo.insert(userId, request(), 'async');
    expect(await repo.cancelQueued(await insertUser(ds), queued.id)).toBe(false); // someone else's
    expect(await repo.cancelQueued(userId, queued.id)).toBe(true);
    expect(await repo.claim(queued.id, randomUUID())).toBeNull();

    const running = await repo.insert(userId, request(), 'async');
    const claim = randomUUID();
    await repo.claim(running.id, claim);
    expect(await repo.cancelQueued(userId, running.id)).toBe(false);
    expect(await repo.requestCancel(userId, running.id)).toBe(true);
    expect(await repo.heartbeat(running.id, claim, 0.1)).toEqual({ cancelRequested: true });
    expect(await repo.finish(running.id, claim, 'cancelled', null, null)).toBe(true);
    expect(await repo.finish(running.id, claim, 'failed', 'late', 'X')).toBe(false);

    const released = await repo.insert(userId, request(), 'async');
    const c = randomUUID();
    await repo.claim(released.id, c);
    expect(await repo.release(released.id, c)).toBe(true);
    expect((await repo.findById(released.id))?.status).toBe('queued');
  });
});
