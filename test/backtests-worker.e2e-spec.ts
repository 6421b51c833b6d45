import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStrategy, runBacktest, type BacktestResult } from '@tb/backtest';
import { BacktestRunsRepository, normalizeBacktestRequest } from '@tb/backtest-runs';
import { JobsProducer, QueueName } from '@tb/jobs';
import { MarketCandlesRepository } from '@tb/market';
import type { Candle } from '@tb/strategies';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BacktestsSweeper } from '../apps/worker/src/backtests/backtests.sweeper';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { ROOT, cleanEnv, freePort, waitForHttp } from './support/processes';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The asynchronous path end to end on real Redis/PostgreSQL: API enqueues, the worker runs, progress rises, the
 * result is stored; cancel mid-run lands within a second; a bad request fails once with its reason; a SIGKILLed
 * worker's run is restarted by another worker (never left `running`); orphans are swept to `failed`.
 */

const EXCHANGE = 'btworker';
const SYMBOL = 'BTC/USDT';
const N = 400_000; // 1m candles: a grid run takes a few seconds
const START = Date.UTC(2030, 0, 1);
const MIN = 60_000;

/**
 * A long 1m series from the committed 1h BTC file, relabelled to 1m and tiled forward, backward (each candle
 * reversed: open↔close), forward …, so the price path is continuous at every seam. Deterministic.
 */
function syntheticCandles(): Candle[] {
  const src = readCandlesCsv('data/binance_BTC-USDT_1h_2024-2025.csv');
  const m = src.length;
  const out: Candle[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const rep = Math.floor(i / m);
    const k = i % m;
    const time = START + i * MIN;
    if (rep % 2 === 0) out[i] = { ...src[k], time };
    else {
      const c = src[m - 1 - k];
      out[i] = { time, open: c.close, high: c.high, low: c.low, close: c.open, volume: c.volume };
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunView {
  id: string;
  status: string;
  progress: number;
  attempts: number;
  cancelRequested: boolean;
  error: { code: string; message: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
  result: null | { metrics: Record<string, unknown>; trades: Array<Record<string, unknown>>; candles: number };
}

function spawnWorker(port: number): { child: ChildProcess; output: () => string } {
  const child = spawn('node', ['-r', './scripts/register.js', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    env: { ...cleanEnv(), ...testEnv({ WORKER_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }) } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

describe('backtests through the worker (BullMQ + PostgreSQL)', () => {
  let api: HttpApp;
  let worker: HttpApp | null = null;
  let alice: TestUser;
  let ds: DataSource;
  let expected: BacktestResult;
  const children: ChildProcess[] = [];
  const http = () => request(api.getHttpServer());
  const body = { strategy: 'grid', exchange: EXCHANGE, symbol: SYMBOL, timeframe: '1m', from: new Date(START).toISOString(), to: new Date(START + N * MIN).toISOString() };

  const get = async (id: string): Promise<RunView> => {
    const res = await http().get(`/api/backtests/${id}`).set('Authorization', bearer(alice));
    expect(res.status).toBe(200);
    return res.body as RunView;
  };
  const submit = async (): Promise<string> => {
    const res = await http().post('/api/backtests').set('Authorization', bearer(alice)).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id as string;
  };
  const waitFor = async (id: string, pred: (r: RunView) => boolean, timeoutMs: number, everyMs = 50): Promise<RunView> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const r = await get(id);
      if (pred(r)) return r;
      if (performance.now() > deadline) throw new Error(`run ${id} did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify({ ...r, result: undefined })}`);
      await sleep(everyMs);
    }
  };
  const tradesAsApi = (r: BacktestResult) =>
    r.trades.map((t) => ({ ...t, entryTime: new Date(t.entryTime).toISOString(), exitTime: new Date(t.exitTime).toISOString() }));

  beforeAll(async () => {
    api = await createHttpTestApp({ module: class Root {}, imports: [HyperrsiApiModule.forRoot({ env: testEnv() })] });
    ds = api.get(DataSource);
    const candles = syntheticCandles();
    await api.get(MarketCandlesRepository).upsert(EXCHANGE, SYMBOL, '1m', candles);
    // the reference: the engine called directly on the same candles with the documented defaults (no DB, no queue)
    expected = runBacktest({
      strategy: getStrategy('grid'),
      settings: {},
      candles,
      market: { symbol: SYMBOL, type: 'spot', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 5 },
      timeframe: '1m',
      initialBalance: 10_000,
      feeMaker: 0.0002,
      feeTaker: 0.0005,
      slippage: 0.0005,
      maintenanceMarginRate: 0.005,
      limitFill: 'through',
    });
    alice = await createUserAndLogin(api);
    worker = await createHttpTestApp(WorkerModule.forRoot({ env: testEnv() }), false);
  }, 180_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await worker?.close();
    await api?.close();
  });

  it('submit → the worker runs it → progress rises → completed with the same result as the engine on those candles', async () => {
    expect(expected.trades.length).toBeGreaterThan(20);
    const id = await submit();
    const seen: number[] = [];
    const done = await waitFor(
      id,
      (r) => {
        if (r.status === 'running') seen.push(r.progress);
        return r.status !== 'queued' && r.status !== 'running';
      },
      90_000,
    );
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(1);
    expect(done.attempts).toBe(1);
    const mid = seen.filter((p) => p > 0 && p < 1);
    expect(mid.length).toBeGreaterThanOrEqual(2); // observed in flight, more than once
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(new Set(mid).size).toBeGreaterThanOrEqual(2); // it rose while we watched
    expect(done.result!.candles).toBe(N);
    expect(done.result!.metrics).toEqual(JSON.parse(JSON.stringify(expected.metrics)));
    expect(done.result!.trades).toEqual(tradesAsApi(expected));
    const runS = (Date.parse(done.finishedAt!) - Date.parse(done.startedAt!)) / 1000;
    process.stdout.write(`worker run of ${N} candles (load + simulate + store): ${runS.toFixed(2)} s; progress samples seen: ${mid.length}\n`);
  }, 120_000);

  it('DELETE mid-run: the run is cancelled within 1 s and stores no result', async () => {
    const id = await submit();
    await waitFor(id, (r) => r.status === 'running' && r.progress >= 0.05, 60_000, 25);
    const t0 = performance.now();
    const del = await http().delete(`/api/backtests/${id}`).set('Authorization', bearer(alice));
    const deleteMs = performance.now() - t0;
    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ status: 'running', cancelRequested: true });
    const r = await waitFor(id, (x) => x.status !== 'running', 5_000, 20);
    const elapsed = performance.now() - t0;
    expect(r.status).toBe('cancelled');
    process.stdout.write(`cancel: DELETE → cancelled observed after ${Math.round(elapsed)} ms (the DELETE itself took ${Math.round(deleteMs)} ms)\n`);
    expect(elapsed).toBeLessThan(1000);
    expect(r.progress).toBeLessThan(1);
    expect(r.result).toBeNull();
    expect(r.finishedAt).not.toBeNull();
    const trades = await ds.query(`SELECT count(*)::int AS n FROM backtest_trades WHERE run_id = $1`, [id]);
    expect(trades[0].n).toBe(0);
  }, 90_000);

  it('a bad request reaching the worker fails once, with its reason stored (no retry)', async () => {
    // bypass the API's validation: store a run whose settings the strategy rejects, and queue it
    const valid = normalizeBacktestRequest({ strategy: 'hyperrsi', exchange: EXCHANGE, symbol: SYMBOL, timeframe: '1m', from: START, to: START + 1000 * MIN });
    const run = await api.get(BacktestRunsRepository).insert(alice.userId, { ...valid, settings: { rsi_length: 0 } }, 'async');
    await api.get(JobsProducer).enqueue('backtests.run', { runId: run.id }, { jobId: run.id });
    const r = await waitFor(run.id, (x) => x.status !== 'queued' && x.status !== 'running', 30_000);
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(1);
    expect(r.error?.code).toBe('STRATEGY_SETTINGS_INVALID');
    expect(r.error?.message).toContain('rsi_length');
    const job = await api.get(JobsProducer).queue(QueueName.Backtests).getJob(run.id);
    await expect.poll(() => job!.getState(), { timeout: 5000 }).toBe('failed');
    const fresh = await api.get(JobsProducer).queue(QueueName.Backtests).getJob(run.id);
    expect(fresh!.attemptsMade).toBe(1);
  }, 60_000);

  it('the sweeper fails a run left running without a live job (never stuck running)', async () => {
    const valid = normalizeBacktestRequest({ strategy: 'grid', exchange: EXCHANGE, symbol: SYMBOL, timeframe: '1m', from: START, to: START + 1000 * MIN });
    const repo = api.get(BacktestRunsRepository);
    const orphan = await repo.insert(alice.userId, valid, 'async', '11111111-1111-4111-8111-111111111111'); // "running", no job
    await ds.query(`UPDATE backtest_runs SET queued_at = now() - interval '5 minutes' WHERE id = $1`, [orphan.id]);
    const fresh = await repo.insert(alice.userId, valid, 'async'); // within the grace period: left alone
    const swept = await worker!.get(BacktestsSweeper).sweep();
    expect(swept).toBeGreaterThanOrEqual(1);
    const r = await get(orphan.id);
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ code: 'JOB_FAILED', message: 'backtest job is missing; the run cannot continue' });
    expect((await get(fresh.id)).status).toBe('queued');
    await ds.query(`UPDATE backtest_runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [fresh.id]);
  });

  it('a worker SIGKILLed mid-run: the job is re-delivered to another worker and the run completes (attempt 2), never stuck running', async () => {
    await worker!.close(); // only the child processes consume from here on
    worker = null;
    const portA = await freePort();
    const a = spawnWorker(portA);
    children.push(a.child);
    await waitForHttp(`http://127.0.0.1:${portA}/health/live`, 60_000);

    const id = await submit();
    await waitFor(id, (r) => r.status === 'running' && r.progress >= 0.1, 60_000, 25);
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    const killedAt = performance.now();
    const stuck = await get(id);
    expect(stuck.status).toBe('running'); // the dead worker could not say anything
    expect(stuck.attempts).toBe(1);

    const portB = await freePort();
    const b = spawnWorker(portB);
    children.push(b.child);
    const done = await waitFor(id, (r) => r.status !== 'running' && r.status !== 'queued', 90_000, 100);
    const seconds = (performance.now() - killedAt) / 1000;
    expect(done.status, b.output().slice(-3000)).toBe('completed');
    expect(done.attempts).toBe(2);
    expect(done.result!.metrics).toEqual(JSON.parse(JSON.stringify(expected.metrics)));
    expect(done.result!.trades).toEqual(tradesAsApi(expected));
    expect(b.output()).toContain('backtest restarted by a new attempt');
    process.stdout.write(`killed worker's run completed by the second worker ${seconds.toFixed(1)} s after the kill\n`);
    b.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => b.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 180_000);
});
