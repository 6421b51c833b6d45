import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { JobsProducer, QueueName } from '@tb/jobs';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { ROOT, cleanEnv } from './support/processes';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

/**
 * The backtest API over HTTP against the real PostgreSQL/Redis: the synchronous endpoint (and its parity with the
 * CLI on the same candles), validation, user scoping, history, the HTML report, queueing and cancel of queued runs.
 * (The worker side — progress, cancel mid-run, a killed worker — is in backtests-worker.e2e-spec.ts.)
 */

const CSV = 'data/binance_BTC-USDT_1h_2024-2025.csv';
const EXCHANGE = 'btapi'; // a series of our own: other test files share the database
const SYMBOL = 'BTC/USDT';
const FROM = '2024-01-01T00:00:00.000Z';
const TO = '2024-07-01T00:00:00.000Z'; // exclusive: 182 days × 24 = 4,368 candles
const SYNC_MAX = 10_000;

interface CliResult {
  metrics: Record<string, unknown>;
  trades: Array<Record<string, unknown> & { entryTime: number; exitTime: number }>;
}

/** `npm run tb -- backtest ...` on the CSV (the CLI reads the file, never the database); returns result.json. */
async function runCli(args: string[]): Promise<CliResult> {
  const out = mkdtempSync(join(tmpdir(), 'tb-bt-cli-'));
  try {
    const child = spawn('node', ['-r', './scripts/register.js', 'apps/cli/src/main.ts', 'backtest', ...args, '--out', out, '--no-progress'], {
      cwd: ROOT,
      env: cleanEnv() as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    if (code !== 0) throw new Error(`tb backtest exited ${code}: ${log.slice(-2000)}`);
    return JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as CliResult;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('backtests API (/api/backtests)', () => {
  let app: HttpApp;
  let alice: TestUser;
  let bob: TestUser;
  let ds: DataSource;
  const http = () => request(app.getHttpServer());
  const body = (over: Record<string, unknown> = {}) => ({ strategy: 'hyperrsi', exchange: EXCHANGE, symbol: SYMBOL, timeframe: '1h', from: FROM, to: TO, ...over });

  beforeAll(async () => {
    app = await createHttpTestApp({
      module: class Root {},
      imports: [HyperrsiApiModule.forRoot({ env: testEnv({ BACKTEST_SYNC_MAX_CANDLES: String(SYNC_MAX) }) })],
    });
    ds = app.get(DataSource);
    const candles = readCandlesCsv(CSV);
    await app.get(MarketCandlesRepository).upsert(EXCHANGE, SYMBOL, '1h', candles);
    alice = await createUserAndLogin(app);
    bob = await createUserAndLogin(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  const from = Date.parse(FROM);
  const toInclusive = Date.parse(TO) - 1;

  it.each([
    ['hyperrsi', { rsi_length: 10, leverage: 5 }, []],
    ['grid', {}, ['--market', 'spot']],
  ] as const)('%s: the CLI on the CSV and POST /api/backtests/run on market_candles give identical metrics and trades', async (strategy, settings, extra) => {
    const [cli, api] = await Promise.all([
      runCli([
        '--strategy', strategy, '--data', CSV, '--timeframe', '1h', '--symbol', SYMBOL, '--settings', JSON.stringify(settings),
        '--from', String(from), '--to', String(toInclusive), ...extra,
      ]),
      http().post('/api/backtests/run').set('Authorization', bearer(alice)).send(body({ strategy, settings })),
    ]);
    expect(api.status, JSON.stringify(api.body).slice(0, 500)).toBe(200);
    expect(api.body.status).toBe('completed');
    expect(api.body.mode).toBe('sync');
    expect(api.body.progress).toBe(1);
    const result = api.body.result as { candles: number; metrics: Record<string, unknown>; trades: Array<Record<string, unknown>>; equity: unknown[] };
    expect(result.candles).toBe(4368);
    expect(cli.trades.length).toBeGreaterThan(5); // a run that trades, or the comparison proves little
    expect(result.metrics).toEqual(cli.metrics);
    expect(result.trades).toEqual(
      cli.trades.map((t) => ({ ...t, entryTime: new Date(t.entryTime).toISOString(), exitTime: new Date(t.exitTime).toISOString() })),
    );
    // the stored equity curve ends at the final balance
    const eq = result.equity as Array<{ equity: number }>;
    expect(eq.length).toBe(Math.ceil(4368 / Math.ceil(4368 / 2000)));
    expect(eq[eq.length - 1].equity).toBeCloseTo(cli.metrics.finalBalance as number, 6);

    // GET returns the very same stored result
    const again = await http().get(`/api/backtests/${api.body.id}`).set('Authorization', bearer(alice));
    expect(again.status).toBe(200);
    expect(again.body.result.metrics).toEqual(cli.metrics);
    expect(again.body.result.trades).toEqual(result.trades);
  }, 120_000);

  it('the HTML report is served as text/html with the chart library inlined; 404 for another user', async () => {
    const run = await http().post('/api/backtests/run').set('Authorization', bearer(alice)).send(body());
    expect(run.status).toBe(200);
    const res = await http().get(`/api/backtests/${run.body.id}/report`).set('Authorization', bearer(alice));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text.startsWith('<!doctype html>')).toBe(true);
    expect(res.text).toContain('hyperrsi · BTC/USDT:USDT · 1h');
    expect(res.text).toContain('LightweightCharts'); // the standalone build was put back in
    expect(res.text).not.toContain('__TB_CHARTS_LIBRARY__');
    expect(res.text.length).toBeGreaterThan(150_000);

    const other = await http().get(`/api/backtests/${run.body.id}/report`).set('Authorization', bearer(bob));
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/json/);
    expect(other.body.error.code).toBe('NOT_FOUND');
  });

  it('validation: field errors, settings checked by the strategy (per field), date range, bounds — nothing stored', async () => {
    const before = await ds.query(`SELECT count(*)::int AS n FROM backtest_runs`);
    const auth = { Authorization: bearer(alice) };

    const bad = await http().post('/api/backtests').set(auth).send(body({ strategy: 'martingale', timeframe: '7m', feeTaker: 0.5, initialBalance: -1 }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((bad.body.error.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['feeTaker', 'initialBalance', 'strategy', 'timeframe']);

    const settings = await http().post('/api/backtests').set(auth).send(body({ settings: { rsi_length: 0, leverage: 1000 } }));
    expect(settings.status).toBe(400);
    expect(settings.body.error.code).toBe('STRATEGY_SETTINGS_INVALID');
    const fields = (settings.body.error.details as Array<{ field: string; messages: string[] }>).map((d) => d.field).sort();
    expect(fields).toEqual(['settings.leverage', 'settings.rsiLength']);

    const range = await http().post('/api/backtests').set(auth).send(body({ from: TO, to: FROM }));
    expect(range.status).toBe(400);
    expect(range.body.error.details).toEqual([{ field: 'to', messages: ['to must be later than from'] }]);

    const noData = await http().post('/api/backtests').set(auth).send(body({ symbol: 'ETH/USDT' }));
    expect(noData.status).toBe(422);
    expect(noData.body.error.code).toBe('NO_MARKET_DATA');
    const outside = await http().post('/api/backtests/run').set(auth).send(body({ from: '2023-01-01T00:00:00Z', to: '2023-12-31T00:00:00Z' }));
    expect(outside.status).toBe(422);

    const unauth = await http().post('/api/backtests').send(body());
    expect(unauth.status).toBe(401);

    const after = await ds.query(`SELECT count(*)::int AS n FROM backtest_runs`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('the synchronous endpoint refuses a large range with 400 BACKTEST_TOO_LARGE pointing to the async endpoint', async () => {
    // 2024-01-01 → 2025-07-01 is 547 days = 13,128 hourly candles > 10,000
    const res = await http().post('/api/backtests/run').set('Authorization', bearer(alice)).send(body({ to: '2025-07-01T00:00:00Z' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BACKTEST_TOO_LARGE');
    expect(res.body.error.message).toContain('POST /api/backtests');
    expect(res.body.error.details).toEqual({ candles: 13_128, max: SYNC_MAX, asyncEndpoint: 'POST /api/backtests' });
  });

  it('POST /api/backtests answers 202 with the run id and queues one job named after it; DELETE cancels a queued run', async () => {
    const res = await http().post('/api/backtests').set('Authorization', bearer(bob)).send(body({ strategy: 'grid' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued', location: `/api/backtests/${res.body.id}` });
    const job = await app.get(JobsProducer).queue(QueueName.Backtests).getJob(res.body.id);
    expect(job?.name).toBe('backtests.run');
    expect(job?.data.payload).toEqual({ runId: res.body.id });
    expect(job?.opts.attempts).toBe(3);

    const got = await http().get(`/api/backtests/${res.body.id}`).set('Authorization', bearer(bob));
    expect(got.status).toBe(200);
    expect(['queued', 'running', 'completed']).toContain(got.body.status); // a worker of a parallel test file may take it
    expect(got.body.request).toMatchObject({ strategy: 'grid', marketType: 'spot', initialBalance: 10_000, feeTaker: 0.0005, from: FROM, to: TO });

    // alice cannot see, cancel or list bob's run
    expect((await http().get(`/api/backtests/${res.body.id}`).set('Authorization', bearer(alice))).status).toBe(404);
    expect((await http().delete(`/api/backtests/${res.body.id}`).set('Authorization', bearer(alice))).status).toBe(404);

    const del = await http().delete(`/api/backtests/${res.body.id}`).set('Authorization', bearer(bob));
    if (got.body.status === 'queued' && del.body.status === 'cancelled') {
      expect(del.status).toBe(202);
      expect(del.body.finishedAt).not.toBeNull();
      expect(await app.get(JobsProducer).queue(QueueName.Backtests).getJob(res.body.id)).toBeUndefined();
      // cancelling again is a no-op
      const again = await http().delete(`/api/backtests/${res.body.id}`).set('Authorization', bearer(bob));
      expect(again.status).toBe(202);
      expect(again.body.status).toBe('cancelled');
    } else {
      expect([202, 409]).toContain(del.status);
    }
  });

  it('DELETE on a completed run is 409 BACKTEST_NOT_CANCELLABLE; unknown id 404; malformed id 400', async () => {
    const run = await http().post('/api/backtests/run').set('Authorization', bearer(alice)).send(body({ strategy: 'grid' }));
    const res = await http().delete(`/api/backtests/${run.body.id}`).set('Authorization', bearer(alice));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('BACKTEST_NOT_CANCELLABLE');
    expect((await http().get('/api/backtests/00000000-0000-4000-8000-000000000000').set('Authorization', bearer(alice))).status).toBe(404);
    expect((await http().get('/api/backtests/not-a-uuid').set('Authorization', bearer(alice))).status).toBe(400);
  });

  it('GET /api/backtests: the caller’s history only, newest first, with filters and pagination', async () => {
    const carol = await createUserAndLogin(app);
    const auth = { Authorization: bearer(carol) };
    const ids: string[] = [];
    for (const strategy of ['grid', 'hyperrsi', 'grid']) {
      const r = await http().post('/api/backtests/run').set(auth).send(body({ strategy, to: '2024-02-01T00:00:00Z' }));
      expect(r.status).toBe(200);
      ids.push(r.body.id);
    }
    const all = await http().get('/api/backtests').set(auth);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(all.body.items[0]).toMatchObject({ status: 'completed', strategy: 'grid', candles: 744, progress: 1 });
    expect(all.body.items[0].result).toBeUndefined(); // history rows carry headline numbers only

    const grid = await http().get('/api/backtests?strategy=grid&status=completed&limit=1&offset=1').set(auth);
    expect(grid.status).toBe(200);
    expect(grid.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(grid.body.items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);

    const none = await http().get('/api/backtests?status=running').set(auth);
    expect(none.body).toMatchObject({ total: 0, items: [] });
    const bad = await http().get('/api/backtests?limit=1000&status=done').set(auth);
    expect(bad.status).toBe(400);
    expect((bad.body.error.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['limit', 'status']);
  });

  it('Swagger documents every route with its DTOs and error bodies', async () => {
    const spec = (await http().get('/docs-json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    };
    const p = spec.paths;
    expect(Object.keys(p['/api/backtests']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(p['/api/backtests/{id}']).sort()).toEqual(['delete', 'get']);
    expect(p['/api/backtests/run'].post.responses['200']).toBeDefined();
    expect(p['/api/backtests/{id}/report'].get.responses['200'].content?.['text/html']).toBeDefined();
    expect(p['/api/backtests'].post.responses['202'].content?.['application/json'].schema.$ref).toMatch(/BacktestRunAcceptedDto$/);
    for (const status of ['400', '422']) {
      expect(p['/api/backtests'].post.responses[status].content?.['application/json'].schema.$ref).toMatch(/ErrorResponseDto$/);
    }
    expect(p['/api/backtests/{id}'].delete.responses['409'].content?.['application/json'].schema.$ref).toMatch(/ErrorResponseDto$/);
  });
});
