import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { loadConfig, processEnv } from '@tb/config';
import { PasswordHasher } from '@tb/users';
import { load } from './util';

/**
 * `npm run bench -- --only api [--soak [minutes]] [--dist <dir>]`: the built hyperrsi-api (one process, production
 * settings, info logs) on the real PostgreSQL/Redis of the configuration, in a database of its own that is dropped
 * afterwards. It measures, with autocannon:
 *
 *   - GET /health/live, 20 connections for 20 s, as fast as it goes;
 *   - authenticated GET /api/orders (a user with 35 orders), 20 connections for 20 s, as fast as it goes;
 *   - the same at a steady 500 req/s for 20 s (latency at a realistic load): an open-loop generator sends a request
 *     every 2 ms over a pool of 20 keep-alive connections and measures each latency from the moment the request was
 *     DUE, so a stalled app or a late timer counts against it (no coordinated omission);
 *   - for comparison, autocannon's `overallRate: 500`. Its rate limiter resets once a second: every connection sends
 *     its share of the second back to back as soon as the second starts and then waits, so this row measures 20
 *     connections hammering the app for part of each second (near the saturated run's latencies), not 500 req/s.
 *
 * Each run prints the CPU time per request of the app process (user + system, and user alone) and of the app's
 * PostgreSQL backends. `API_BENCH_NODE_ARGS` adds node flags to the app's command line (experiments, e.g. GC sizes).
 *
 * `--soak` runs the authenticated list at 500 req/s for 10 minutes (or the given minutes) and prints the app's RSS
 * every minute and its growth. `--dist` points at another build (a copy of dist/ taken before a change).
 */

const ROOT = resolve(__dirname, '..');

export interface ApiBenchOptions {
  readonly soakMinutes: number | null;
  readonly dist: string;
  readonly durationS: number;
  /** Write a V8 CPU profile of the app into this directory (node --cpu-prof). */
  readonly profDir?: string | null;
}

/** What one load run measured (latencies in ms). */
export interface LoadResult {
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface ApiBenchRow extends LoadResult {
  readonly name: string;
  /** CPU time (user + system) the app process spent per request during the run, in microseconds. */
  readonly cpuUsPerReq: number;
  /**
   * The user-space part of it: the JavaScript (and GC) work of a request. The system part is mostly the socket
   * writes, whose cost grows with the machine's load (a busy scheduler), so this one is the steadier comparison.
   */
  readonly userUsPerReq: number;
  /**
   * CPU time the app's PostgreSQL backends (the connections of its pool, found in pg_stat_activity) spent per request:
   * on this machine the database shares the two cores with the app, so it bounds req/s too.
   */
  readonly dbUsPerReq: number;
  readonly load: string;
}


/** The node flags of `npm run start:hyperrsi-api` (package.json): the bench runs the app as it is deployed. */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts['start:hyperrsi-api'] ?? '').split(/\s+/);
  return words[0] === 'node' ? words.slice(1).filter((w) => w.startsWith('--')) : [];
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function query<T = unknown>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    return (await ds.query(sql, params)) as T;
  } finally {
    await ds.destroy();
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    autocannon(opts, (err, result) => (err ? rej(err) : res(result)));
  });
}

/** CPU time (user, system) of a process so far, in microseconds (Linux /proc; NaN elsewhere). */
function cpuUs(pid: number): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(f[11]) / 100) * 1e6, sys: (Number(f[12]) / 100) * 1e6 }; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return { user: NaN, sys: NaN };
  }
}

/** User + system CPU time of some processes together, in microseconds (a process that is gone counts 0). */
function totalCpuUs(pids: readonly number[]): number {
  let sum = 0;
  for (const p of pids) {
    const { user, sys } = cpuUs(p);
    if (Number.isFinite(user)) sum += user + sys;
  }
  return sum;
}

function fromAutocannon(r: autocannon.Result): LoadResult {
  return {
    requests: r.requests.total,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** The q-quantile of ascending values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * An open-loop load at a steady `rate`: request k is due at start + k / rate and is sent then (over at most
 * `connections` keep-alive sockets: a request that finds them all busy waits for one), and its latency is measured
 * from when it was due to the end of its response body. Latencies in ms, rounded to 0.1.
 */
async function paced(url: string, headers: Record<string, string>, rate: number, durationS: number, connections: number): Promise<LoadResult> {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let finished = 0;
  const start = performance.now() + 20;
  await new Promise<void>((resolveAll) => {
    const settled = () => {
      if (++finished === total) resolveAll();
    };
    const issue = (due: number) => {
      const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - due);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          settled();
        });
      });
      req.on('error', () => {
        errors++;
        settled();
      });
      req.end();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) issue(start + sent++ * intervalMs);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    setTimeout(tick, 20);
  });
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    requests: total,
    reqPerSec: total / elapsedS,
    p50: r1(quantile(latencies, 0.5)),
    p90: r1(quantile(latencies, 0.9)),
    p99: r1(quantile(latencies, 0.99)),
    max: r1(latencies[latencies.length - 1] ?? NaN),
    non2xx,
    errors,
  };
}

/**
 * One load run, with the CPU time per request of the app and of its database backends (`dbPids`): unlike
 * req/s, they depend little on the machine's load.
 */
async function measure(name: string, pid: number, dbPids: readonly number[], run: () => Promise<LoadResult>): Promise<ApiBenchRow> {
  const before = cpuUs(pid);
  const dbBefore = totalCpuUs(dbPids);
  const r = await run();
  const after = cpuUs(pid);
  const dbAfter = totalCpuUs(dbPids);
  const n = Math.max(1, r.requests);
  return {
    name,
    ...r,
    cpuUsPerReq: (after.user + after.sys - before.user - before.sys) / n,
    userUsPerReq: (after.user - before.user) / n,
    dbUsPerReq: (dbAfter - dbBefore) / n,
    load: load(),
  };
}

function rssMb(pid: number): number {
  // /proc is Linux-only; elsewhere the soak mode reports nothing rather than a wrong figure
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function runApiBench(opts: ApiBenchOptions, out: (s: string) => void): Promise<ApiBenchRow[]> {
  const main = resolve(opts.dist, 'apps/hyperrsi-api/src/main.js');
  if (!existsSync(main)) throw new Error(`${main} not found: run \`npm run build\` first`);
  const base = loadConfig(processEnv());
  const dbName = `tb_bench_api_${process.pid}_${randomBytes(3).toString('hex')}`;
  const dbUrl = new URL(base.database.url);
  const admin = new URL(base.database.url);
  admin.pathname = '/postgres'; // CREATE/DROP DATABASE run from the maintenance database
  const adminUrl = admin.toString();
  dbUrl.pathname = `/${dbName}`;
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: processEnv().PATH ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: base.redis.url,
    REDIS_KEY_PREFIX: `bench-api-${process.pid}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JWT_SECRET: randomBytes(36).toString('base64url'),
    LOG_LEVEL: 'info',
    HYPERRSI_PORT: String(port),
    DB_MIGRATE_ON_BOOT: 'true',
  };
  await query(adminUrl, `CREATE DATABASE "${dbName}"`);
  let app: ChildProcess | null = null;
  let appLog = '';
  const rows: ApiBenchRow[] = [];
  try {
    const nodeArgs = [
      ...startScriptNodeFlags(),
      ...(opts.profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.profDir)}`] : []),
      ...(processEnv().API_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ];
    app = spawn(process.execPath, [...nodeArgs, main], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // drain the logs (a real deployment ships them somewhere); keep only the tail for error reports
    app.stdout!.on('data', (d: Buffer) => (appLog = (appLog + d.toString()).slice(-4000)));
    app.stderr!.on('data', (d: Buffer) => (appLog = (appLog + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    await waitReady(`${url}/health/live`, app, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${appLog}`);
    });
    await waitReady(`${url}/health/ready`, app, 60_000);

    // a trader with a paper account and 35 orders
    const email = `bench-${randomBytes(4).toString('hex')}@bench.example`;
    const password = randomBytes(18).toString('base64url');
    // the user row as UsersService writes it (same hasher); the app's own login route issues the token
    await query(dbUrl.toString(), `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'trader')`, [email, await new PasswordHasher().hash(password)]);
    const login = await json<{ accessToken: string }>(
      await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }),
    );
    const auth = { authorization: `Bearer ${login.accessToken}` };
    const account = await json<{ id: string }>(
      await fetch(`${url}/api/exchange-accounts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ exchange: 'paper', label: 'bench', marketType: 'perp', paperBalances: { USDT: '10000' } }),
      }),
    );
    await query(
        dbUrl.toString(),
        `INSERT INTO orders (user_id, account_id, intent_key, client_order_id, exchange, symbol, type, side, position_side, amount, price, status, filled, average_price, closed_at)
         SELECT u.id, $1, 'bench-' || g, 'bench-' || g || '-' || $2, 'paper', 'BTC/USDT:USDT', 'limit', 'buy', 'long', '0.01', 60000 + g, 'FILLED', '0.01', 60000 + g, now()
           FROM users u, generate_series(1, 35) g WHERE u.email = $3`,
        [account.id, randomBytes(4).toString('hex'), email],
    );
    const list = await json<{ items?: unknown[]; data?: unknown[] }>(await fetch(`${url}/api/orders?limit=50`, { headers: auth }));
    const n = (list.items ?? list.data ?? []).length;
    if (n !== 35) throw new Error(`expected 35 orders in the list, got ${n}`);

    const d = opts.durationS;
    out(`app: node ${nodeArgs.join(' ')} ${main} on :${port} (NODE_ENV=production, LOG_LEVEL=info, database ${dbName})`);
    await cannon({ url: `${url}/health/live`, connections: 20, duration: 3 }); // warm-up (JIT, pools)
    await cannon({ url: `${url}/api/orders?limit=50`, headers: auth, connections: 20, duration: 3 });
    const rssBefore = rssMb(app.pid!);
    const pid = app.pid!;
    // the app's pool connections (opened by now, by the warm-up); the bench's own connections are closed
    const dbPids = (await query<{ pid: number }[]>(adminUrl, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, [dbName])).map((r) => Number(r.pid));
    out(`database backends of the app: ${dbPids.length} (their CPU per request is the "db CPU" column)`);
    const ac = (o: autocannon.Options) => async () => fromAutocannon(await cannon(o));
    rows.push(await measure(`GET /health/live, 20 conns, ${d} s`, pid, dbPids, ac({ url: `${url}/health/live`, connections: 20, duration: d })));
    rows.push(await measure(`GET /api/orders (35), 20 conns, ${d} s`, pid, dbPids, ac({ url: `${url}/api/orders?limit=50`, headers: auth, connections: 20, duration: d })));
    rows.push(await measure(`GET /api/orders (35), steady 500 req/s, ${d} s`, pid, dbPids, () => paced(`${url}/api/orders?limit=50`, auth, 500, d, 20)));
    rows.push(
      await measure(
        `(autocannon overallRate 500: bursts), ${d} s`,
        pid,
        dbPids,
        ac({ url: `${url}/api/orders?limit=50`, headers: auth, connections: 20, overallRate: 500, duration: d }),
      ),
    );
    if (opts.soakMinutes) {
      out(`soak: GET /api/orders at a steady 500 req/s for ${opts.soakMinutes} min; RSS of the app process every minute`);
      out(`  t=0 min  RSS ${rssBefore.toFixed(1)} MB (after warm-up)  load ${load()}`);
      const rss: number[] = [rssBefore];
      let errors = 0;
      let non2xx = 0;
      for (let m = 1; m <= opts.soakMinutes; m++) {
        const r = await paced(`${url}/api/orders?limit=50`, auth, 500, 60, 20);
        errors += r.errors;
        non2xx += r.non2xx;
        rss.push(rssMb(app.pid!));
        out(`  t=${m} min  RSS ${rss[m].toFixed(1)} MB  ${Math.round(r.reqPerSec)} req/s  p99 ${r.p99} ms  load ${load()}`);
      }
      const mid = rss[Math.min(rss.length - 1, 1)];
      out(
        `soak RSS growth: ${(rss[rss.length - 1] - rss[0]).toFixed(1)} MB over ${opts.soakMinutes} min ` +
          `(${(rss[rss.length - 1] - mid).toFixed(1)} MB after the first minute); errors ${errors}, non-2xx ${non2xx}`,
      );
    }
    return rows;
  } finally {
    if (app && app.exitCode === null) {
      app.kill('SIGTERM');
      for (let i = 0; i < 100 && app.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    await query(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  }
}
