import { spawn } from 'node:child_process';
import { cpus, freemem, release, totalmem, type as osType } from 'node:os';
import { resolve } from 'node:path';
import type { ApiBenchRow } from './api.bench';
import { BACKTEST_BASELINE, type BacktestBenchRow } from './backtest.bench';
import type { IndicatorBenchRow } from './indicators.bench';
import { RESULT_PREFIX, SECTIONS, isSection, type Section, type SectionResult } from './section';
import type { GridBenchRow } from '../libs/strategies/src/grid/grid.bench';
import type { HyperrsiBenchResult } from '../libs/strategies/src/hyperrsi/hyperrsi.bench';
import { load } from './util';

/**
 * `npm run bench` — throughput and memory of the hot paths, with the machine's details:
 *
 *   npm run bench [-- --n <candles>] [-- --only <section>[,<section>...]]
 *
 * Sections (each in its own child process, so the peak RSS reported is that section's alone):
 *   indicators         every indicator's batch form, candles/s, next to `technicalindicators` in the same run
 *   hyperrsi           HYPERRSI decision pass (decide + a minimal inline fill rule)
 *   grid               GRID decision pass (decide only), adaptive and range mode
 *   backtest-hyperrsi  full backtest through the matching engine (strategy, fills, metrics, ledger check)
 *   backtest-grid      the same for GRID
 * Aliases: `decisions` = hyperrsi,grid; `backtest` = backtest-hyperrsi,backtest-grid; `all`.
 *   bots               N (`--bots`, default 1,000) live paper bots after one candle close on the real stack, in-process
 *                      worker (bench/bots.bench.ts; not part of `all`): p50/p99 candle available -> committed / sent.
 *   telegram           Telegram command round trips (`--rounds`, default 200 per command): in-process worker polling the
 *                      local fake Bot API, PostgreSQL, Redis (bench/telegram.bench.ts; not part of `all`): p50/p99 ms.
 *   api                the built hyperrsi-api over HTTP on the real PostgreSQL/Redis (run `npm run build` first; not
 *                      part of `all`): req/s and latency percentiles (bench/api.bench.ts). `--soak [minutes]` adds a
 *                      soak (default 10 min) that prints RSS growth; `--dist <dir>` benches another build.
 *
 * Every input is synthesised deterministically from the committed test/fixtures candles, so it runs offline on
 * a fresh clone. On a shared machine, compare the CPU s and wall s columns: wall ≫ CPU means the section was
 * competing for the cores, and wall-clock candles/s are understated accordingly (the indicator table uses
 * CPU time and is immune).
 */

const ROOT = resolve(__dirname, '..');
const ALIASES: Record<string, readonly Section[]> = {
  all: SECTIONS,
  decisions: ['hyperrsi', 'grid'],
  backtest: ['backtest-hyperrsi', 'backtest-grid'],
  backtests: ['backtest-hyperrsi', 'backtest-grid'],
};

interface Options {
  n: number;
  sections: Section[];
  api: boolean;
  /** `--only bots`: N running paper bots after one candle close (bench/bots.bench.ts); `--bots N` (default 1000) */
  bots: number | null;
  /** `--only telegram`: command round trips against the local fake Bot API; `--rounds N` (default 200) per command */
  telegram: number | null;
  soakMinutes: number | null;
  dist: string;
  durationS: number;
  profDir: string | null;
}

const USAGE = `usage: npm run bench -- [--n <candles>] [--only <section>[,<section>...]] [--soak [minutes]] [--dist <dir>] [--duration <s>] [--prof <dir>] [--bots <n>] [--rounds <n>]
sections: ${SECTIONS.join(', ')}, api, bots, telegram (aliases: ${Object.keys(ALIASES).join(', ')})\n`;

export function parseArgs(argv: readonly string[]): Options {
  let n = 1_000_000;
  const picked: Section[] = [];
  let api = false;
  let bots: number | null = null;
  let botsN = 1000;
  let telegram = false;
  let rounds = 200;
  let soakMinutes: number | null = null;
  let dist = resolve(ROOT, 'dist');
  let durationS = 20;
  let profDir: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--n') {
      const v = value().replace(/[_,]/g, '');
      n = /^\d+(\.\d+)?e\d+$/i.test(v) ? Number(v) : Number.parseInt(v, 10);
      if (!Number.isInteger(n) || n < 1000 || String(v).trim() === '') throw new Error(`--n must be an integer >= 1000 (got "${v}")`);
    } else if (flag === '--only') {
      for (const part of value().split(',')) {
        const s = part.trim().toLowerCase();
        if (!s) continue;
        if (s === 'api') api = true;
        else if (s === 'bots') bots = 0;
        else if (s === 'telegram') telegram = true;
        else if (ALIASES[s]) picked.push(...ALIASES[s]);
        else if (isSection(s)) picked.push(s);
        else throw new Error(`unknown section "${s}"\n${USAGE}`);
      }
    } else if (flag === '--soak') {
      const next = eq > 0 ? a.slice(eq + 1) : argv[i + 1];
      soakMinutes = 10;
      if (next !== undefined && /^\d+$/.test(next)) {
        soakMinutes = Number(next);
        if (eq < 0) i++;
      }
      if (soakMinutes < 1) throw new Error('--soak must be at least 1 minute');
    } else if (flag === '--bots') {
      botsN = Number(value());
      if (!Number.isInteger(botsN) || botsN < 1) throw new Error('--bots must be a positive integer');
    } else if (flag === '--rounds') {
      rounds = Number(value());
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
    } else if (flag === '--prof') {
      profDir = value();
    } else if (flag === '--dist') {
      dist = resolve(value());
    } else if (flag === '--duration') {
      durationS = Number(value());
      if (!Number.isInteger(durationS) || durationS < 1) throw new Error('--duration must be a positive integer (seconds)');
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const sections = picked.length ? SECTIONS.filter((s) => picked.includes(s)) : api || bots !== null || telegram ? [] : [...SECTIONS];
  return { n, sections, api, bots: bots === null ? null : botsN, telegram: telegram ? rounds : null, soakMinutes, dist, durationS, profDir };
}

// ───────────────────────────── formatting ─────────────────────────────

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** A Markdown-style table with right-aligned numeric columns (columns whose header is in `right`). */
function table(head: readonly string[], rows: readonly (readonly string[])[], leftCols = 1): string {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const cell = (s: string, c: number) => (c < leftCols ? s.padEnd(w[c]) : s.padStart(w[c]));
  const line = (r: readonly string[]) => `| ${r.map((s, c) => cell(s ?? '', c)).join(' | ')} |`;
  const sep = `|${w.map((x, c) => (c < leftCols ? `-${'-'.repeat(x)}-` : `-${'-'.repeat(x)}:`)).join('|')}|`;
  return [line(head), sep, ...rows.map(line)].join('\n');
}

export function machineContext(): string {
  const c = cpus();
  return [
    `machine : ${c[0]?.model?.trim() ?? 'unknown CPU'}, ${c.length} logical cores${c[0]?.speed ? ` @ ${c[0].speed} MHz` : ''}`,
    `memory  : ${gib(totalmem())} RAM, ${gib(freemem())} free`,
    `system  : ${osType()} ${release()} ${process.arch}, node ${process.version}`,
    `load avg: ${load()} (1 / 5 / 15 min) at start`,
  ].join('\n');
}

function indicatorTable(rows: readonly IndicatorBenchRow[]): string {
  const rate = (x: number | null) => (x === null ? '-' : int(x));
  return table(
    ['indicator', 'ours (candles/s)', 'technicalindicators (candles/s)', 'ours / lib', 'ours wall', 'lib wall'],
    rows.map((r) => [r.name, rate(r.ours), rate(r.library), r.ratio === null ? '-' : `${r.ratio.toFixed(1)}x`, rate(r.oursWall), rate(r.libraryWall)]),
  );
}

function decisionTable(h: readonly HyperrsiBenchResult[] | null, g: readonly GridBenchRow[] | null): string {
  const rows: string[][] = [];
  for (const r of h ?? []) rows.push(['HYPERRSI', r.name.replace(/^hyperrsi /, ''), int(r.candlesPerSecond), int(r.intents), int(r.fills), int(r.stateBytes)]);
  for (const r of g ?? []) rows.push(['GRID', `${r.mode} mode, decide only (5m candles)`, int(r.candlesPerSec), int(r.intents), '-', int(r.stateBytes)]);
  return table(['strategy', 'pass', 'candles/s', 'intents', 'fills', 'state bytes'], rows, 2);
}

function backtestTable(rows: readonly BacktestBenchRow[]): string {
  return table(
    ['strategy', 'settings', 'candles/s', 'candles/CPU-s', 'seconds', 'trades', 'peak RSS (MB)', 'before: candles/s', 'before: peak RSS (MB)'],
    rows.map((r) => {
      const b = BACKTEST_BASELINE[r.strategy];
      return [
        r.strategy,
        r.settings.length > 2 ? 'every feature on' : 'defaults',
        int(r.candlesPerSecond),
        int(r.candlesPerCpuSecond ?? NaN),
        r.seconds.toFixed(2),
        int(r.trades),
        r.peakRssMb.toFixed(0),
        b ? int(b.candlesPerSecond) : '-',
        b ? b.peakRssMb.toFixed(0) : '-',
      ];
    }),
    2,
  );
}

function apiTable(rows: readonly ApiBenchRow[]): string {
  return table(
    ['run', 'requests', 'req/s', 'p50', 'p90', 'p99', 'max', 'non-2xx', 'errors', 'app CPU µs/req', 'of which user', 'db CPU µs/req', 'load avg after'],
    rows.map((r) => [r.name, int(r.requests), int(r.reqPerSec), String(r.p50), String(r.p90), String(r.p99), String(r.max), int(r.non2xx), int(r.errors), int(r.cpuUsPerReq), int(r.userUsPerReq), int(r.dbUsPerReq), r.load]),
  );
}

// ───────────────────────────── child processes ─────────────────────────────

function runChild(section: Section, n: number): Promise<SectionResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['-r', resolve(ROOT, 'scripts', 'register.js'), resolve(ROOT, 'bench', 'section.ts'), section, String(n)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result: SectionResult | null = null;
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as SectionResult;
        else if (line.trim()) process.stderr.write(`  [${section}] ${line}\n`); // progress, off the report
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && result) resolveRun(result);
      else reject(new Error(`bench section "${section}" failed (exit code ${code})`));
    });
  });
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`TradingBoost benchmarks: ${int(opts.n)} candles per section; sections: ${[...opts.sections, ...(opts.api ? ['api'] : []), ...(opts.bots !== null ? ['bots'] : []), ...(opts.telegram !== null ? ['telegram'] : [])].join(', ')}`);
  out(machineContext());
  const results = new Map<Section, SectionResult>();
  const loads = new Map<Section, string>();
  const failed: string[] = [];
  for (const s of opts.sections) {
    process.stderr.write(`running ${s} ...\n`);
    try {
      results.set(s, await runChild(s, opts.n));
      loads.set(s, load());
    } catch (e) {
      failed.push(`${s}: ${(e as Error).message}`);
    }
  }

  if (opts.sections.length) out('');
  if (opts.sections.length) out('SECTIONS (each in its own process; set-up, input synthesis and JIT warm-up included)');
  if (opts.sections.length) out(
    table(
      ['section', 'wall s', 'CPU s', 'CPU / wall', 'RSS after load (MB)', 'peak RSS (MB)', 'load avg after'],
      opts.sections
        .filter((s) => results.has(s))
        .map((s) => {
          const r = results.get(s) as SectionResult;
          return [s, r.wallSeconds.toFixed(1), r.cpuSeconds.toFixed(1), `${((100 * r.cpuSeconds) / r.wallSeconds).toFixed(0)}%`, r.baseRssMb.toFixed(0), r.peakRssMb.toFixed(0), loads.get(s) ?? ''];
        }),
    ),
  );

  const ind = results.get('indicators');
  if (ind) {
    out('');
    out(`INDICATORS: batch form over ${int(ind.candles)} candles; candles per CPU-second, best run (wall-clock columns for reference)`);
    out(indicatorTable(ind.rows as IndicatorBenchRow[]));
  }
  const h = results.get('hyperrsi');
  const g = results.get('grid');
  if (h || g) {
    out('');
    out(`DECISION PASS: ${int((h ?? g)?.candles ?? opts.n)} candles, wall clock (HYPERRSI best of 3, GRID one run)`);
    out(decisionTable((h?.rows as HyperrsiBenchResult[]) ?? null, (g?.rows as GridBenchRow[]) ?? null));
  }
  const bt = [results.get('backtest-hyperrsi'), results.get('backtest-grid')].filter((x): x is SectionResult => !!x);
  if (bt.length) {
    out('');
    out(`FULL BACKTEST: ${int(bt[0].candles)} 1h candles through the matching engine (strategy + fills + metrics + ledger check), wall clock and CPU time; "before" = the figures before issue 11 (load ~0.4)`);
    out(backtestTable(bt.flatMap((r) => r.rows as BacktestBenchRow[])));
  }
  if (opts.api) {
    process.stderr.write('running api ...\n');
    try {
      const { runApiBench } = await import('./api.bench');
      out('');
      out('API: the built hyperrsi-api, one process; autocannon, and a paced open-loop generator for the steady rate (latency in ms)');
      const rows = await runApiBench({ soakMinutes: opts.soakMinutes, dist: opts.dist, durationS: opts.durationS, profDir: opts.profDir }, out);
      out(apiTable(rows));
    } catch (e) {
      failed.push(`api: ${(e as Error).message}`);
    }
  }
  if (opts.telegram !== null) {
    process.stderr.write('running telegram ...\n');
    try {
      const { runTelegramBench } = await import('./telegram.bench');
      out('');
      out('TELEGRAM: command round trip (update injected at the local fake Bot API -> the bot\'s answer arrives there), in-process worker, PostgreSQL, Redis; ms');
      const r = await runTelegramBench(opts.telegram, out);
      out(table(['command', 'rounds', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms / round'], r.rows.map((x) => [x.command, int(x.rounds), x.p50.toFixed(1), x.p99.toFixed(1), x.max.toFixed(1), x.cpuMsPerRound.toFixed(1)])));
      out(`telegram: load avg before ${r.loadBefore}, after ${r.loadAfter}`);
    } catch (e) {
      failed.push(`telegram: ${(e as Error).stack ?? (e as Error).message}`);
    }
  }
  if (opts.bots !== null) {
    process.stderr.write('running bots ...\n');
    try {
      const { runBotsBench } = await import('./bots.bench');
      out('');
      out(`BOTS: ${int(opts.bots)} live paper bots, one candle close, in-process worker (real BullMQ processor), PostgreSQL, Redis; ms from candle available (t0)`);
      const r = await runBotsBench(opts.bots, out);
      out(
        table(
          ['stage', 'bots', 'p50 ms', 'p99 ms', 'max ms', 'all done ms', 'worker histogram (exact, at commit / after send)'],
          [
            ['decision committed', int(r.bots), int(r.committed.p50), int(r.committed.p99), int(r.committed.max), int(r.committed.allMs), r.histogram.committed],
            ['decision (tx start)', int(r.bots), int(r.txStart.p50), int(r.txStart.p99), int(r.txStart.max), '-', '-'],
            ['orders sent', r.sent ? `${int(r.sent.bots)} (${int(r.sent.orders)} orders)` : '0', r.sent ? int(r.sent.p50) : '-', r.sent ? int(r.sent.p99) : '-', r.sent ? int(r.sent.max) : '-', '-', r.histogram.sent],
          ],
        ),
      );
      out(`bots: fan-out of the close (inbox rows + jobs for every bot) took ${int(r.fanOutMs)} ms of that; processor concurrency ${r.concurrency}; warm-up ${r.warmSeconds.toFixed(0)} s; load avg after: ${r.loadAfter}`);
    } catch (e) {
      failed.push(`bots: ${(e as Error).stack ?? (e as Error).message}`);
    }
  }
  out('');
  out(`load avg: ${load()} (1 / 5 / 15 min) at the end`);
  if (failed.length) {
    process.stderr.write(`\n${failed.length} section(s) failed:\n${failed.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
