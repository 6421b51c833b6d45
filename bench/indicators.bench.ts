import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ti from 'technicalindicators';
import {
  adx,
  atr,
  bollinger,
  ema,
  jma,
  mamaFama,
  pivotHigh,
  rationalQuadratic,
  rising,
  rma,
  rsi,
  sma,
  stdev,
  t3,
  trueRange,
  vidya,
  wma,
} from '@tb/strategies';

/**
 * Indicator throughput (candles/s) of our batch forms against the `technicalindicators` package on the
 * same input in the same process. Input: `n` candles synthesised deterministically from the committed
 * BTC/USDT 1h 2024 fixture, played forward then backward in time (each candle mirrored: open and close
 * swapped), repeatedly, which keeps the price path continuous and bounded for any n.
 *
 * Method: every indicator is first run on a 50k-candle slice (JIT warm-up), then timed over all n
 * candles, at least `minReps` times and until ~0.3 s has been spent (at most 25 runs); each run is
 * preceded by a full GC so neither side pays for the other's garbage, and the best run counts. The
 * library gets plain number[] inputs prepared outside the timed region; ours includes allocating its
 * output Float64Arrays.
 *
 * Two clocks: `ours`/`library`/`ratio` use the process's CPU time (user + system), which other
 * processes on a shared machine cannot inflate; `oursWall`/`libraryWall` are wall-clock figures.
 * On an idle machine the two agree (single-threaded work).
 */
const FIXTURE = resolve(__dirname, '..', 'test', 'fixtures', 'candles', 'binance_BTC-USDT_1h_2024.csv');
const WARMUP = 50_000;

export interface IndicatorBenchRow {
  readonly name: string;
  /** our batch form, candles per CPU-second */
  readonly ours: number;
  /** technicalindicators, candles per CPU-second; null when it has no such indicator */
  readonly library: number | null;
  /** ours / library (CPU time), null when the library has no such indicator */
  readonly ratio: number | null;
  /** our batch form, candles per wall-clock second */
  readonly oursWall: number;
  /** technicalindicators, candles per wall-clock second, or null */
  readonly libraryWall: number | null;
}
export type Row = IndicatorBenchRow;

interface Ohlc {
  readonly length: number;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

function synthesise(n: number): Ohlc {
  const lines = readFileSync(FIXTURE, 'utf8').split(/\r?\n/).slice(1).filter(Boolean);
  const m = lines.length;
  const o = new Float64Array(m);
  const h = new Float64Array(m);
  const l = new Float64Array(m);
  const c = new Float64Array(m);
  lines.forEach((line, i) => {
    const f = line.split(',');
    o[i] = Number(f[1]);
    h[i] = Number(f[2]);
    l[i] = Number(f[3]);
    c[i] = Number(f[4]);
  });
  const out = { length: n, high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const fwd = Math.floor(i / m) % 2 === 0;
    const j = i % m;
    const k = fwd ? j : m - 1 - j;
    out.high[i] = h[k];
    out.low[i] = l[k];
    out.close[i] = fwd ? c[k] : o[k];
  }
  return out;
}

function slice(d: Ohlc, n: number): Ohlc {
  return { length: n, high: d.high.subarray(0, n), low: d.low.subarray(0, n), close: d.close.subarray(0, n) };
}

interface Plain {
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
}

function plain(d: Ohlc): Plain {
  return { high: Array.from(d.high), low: Array.from(d.low), close: Array.from(d.close) };
}

interface Case {
  readonly name: string;
  readonly ours: (d: Ohlc) => unknown;
  readonly library?: (p: Plain) => unknown;
}

const CASES: readonly Case[] = [
  { name: 'SMA(20)', ours: (d) => sma(d.close, 20), library: (p) => ti.SMA.calculate({ period: 20, values: p.close }) },
  { name: 'EMA(20)', ours: (d) => ema(d.close, 20), library: (p) => ti.EMA.calculate({ period: 20, values: p.close }) },
  { name: 'RMA(14)', ours: (d) => rma(d.close, 14), library: (p) => ti.WEMA.calculate({ period: 14, values: p.close }) },
  { name: 'WMA(20)', ours: (d) => wma(d.close, 20), library: (p) => ti.WMA.calculate({ period: 20, values: p.close }) },
  { name: 'RSI(14)', ours: (d) => rsi(d.close, 14), library: (p) => ti.RSI.calculate({ period: 14, values: p.close }) },
  {
    name: 'TrueRange',
    ours: (d) => trueRange(d.high, d.low, d.close),
    library: (p) => ti.TrueRange.calculate({ high: p.high, low: p.low, close: p.close }),
  },
  {
    name: 'ATR(14)',
    ours: (d) => atr(d.high, d.low, d.close, 14),
    library: (p) => ti.ATR.calculate({ high: p.high, low: p.low, close: p.close, period: 14 }),
  },
  { name: 'Stdev(20)', ours: (d) => stdev(d.close, 20), library: (p) => ti.SD.calculate({ period: 20, values: p.close }) },
  {
    name: 'Bollinger(20,2)',
    ours: (d) => bollinger(d.close, 20, 2),
    library: (p) => ti.BollingerBands.calculate({ period: 20, values: p.close, stdDev: 2 }),
  },
  {
    name: 'ADX/DI(14,14)',
    ours: (d) => adx(d.high, d.low, d.close, 14, 14),
    library: (p) => ti.ADX.calculate({ high: p.high, low: p.low, close: p.close, period: 14 }),
  },
  { name: 'JMA(5)', ours: (d) => jma(d.close, 5) },
  { name: 'T3(20)', ours: (d) => t3(d.close, 20) },
  { name: 'VIDYA(9)', ours: (d) => vidya(d.close, 9) },
  { name: 'RationalQuadratic(30,0.5,5)', ours: (d) => rationalQuadratic(d.close) },
  { name: 'MAMA/FAMA(0.5,0.05)', ours: (d) => mamaFama(d.close) },
  { name: 'PivotHigh(20,10)', ours: (d) => pivotHigh(d.high, 20, 10) },
  { name: 'Rising(3)', ours: (d) => rising(d.close, 3) },
];

/** A full-GC function without needing `node --expose-gc` on the command line. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

interface Timing {
  readonly cpu: number;
  readonly wall: number;
}

const BUDGET_S = 0.3;
const MAX_REPS = 25;

/** Best CPU and best wall time (seconds) over the runs. */
function bestTimes(run: () => unknown, minReps: number, gc: () => void): Timing {
  let cpu = Infinity;
  let wall = Infinity;
  let spent = 0;
  for (let r = 0; r < MAX_REPS && (r < minReps || spent < BUDGET_S); r++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const out = run();
    const w = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    if (out == null) throw new Error('indicator returned nothing'); // also keeps `out` observable
    const cs = (c.user + c.system) / 1e6;
    spent += w;
    if (w < wall) wall = w;
    if (cs < cpu) cpu = cs;
  }
  return { cpu, wall };
}

export async function runIndicatorBench(n = 1_000_000, minReps = 3): Promise<Row[]> {
  const gc = gcFunction();
  const data = synthesise(n);
  const warm = slice(data, Math.min(n, WARMUP));
  const dataPlain = plain(data);
  const warmPlain = plain(warm);
  const rows: Row[] = [];
  for (const c of CASES) {
    c.ours(warm);
    const o = bestTimes(() => c.ours(data), minReps, gc);
    let lib: Timing | null = null;
    if (c.library) {
      const f = c.library;
      f(warmPlain);
      lib = bestTimes(() => f(dataPlain), minReps, gc);
    }
    const ours = n / o.cpu;
    const library = lib === null ? null : n / lib.cpu;
    rows.push({
      name: c.name,
      ours,
      library,
      ratio: library === null ? null : ours / library,
      oursWall: n / o.wall,
      libraryWall: lib === null ? null : n / lib.wall,
    });
    await new Promise((r) => setImmediate(r)); // let the event loop breathe between cases
  }
  return rows;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : `${(x / 1e3).toFixed(0)}k`;
}

/** A plain-text table of the rows, headed by the machine's details. */
export function formatIndicatorBench(rows: readonly Row[], n: number): string {
  const cpu = cpus();
  const ratio = (a: number, b: number | null) => (b === null ? '-' : `${(a / b).toFixed(1)}x`);
  const lines = [
    `indicators: ${n.toLocaleString('en-US')} candles; machine: ${cpu[0]?.model ?? 'unknown'} x${cpu.length}, node ${process.version}`,
    `candles per second, best run; CPU time (wall clock in brackets)`,
    `${'indicator'.padEnd(28)}${'ours'.padStart(18)}${'technicalindicators'.padStart(22)}${'ratio'.padStart(18)}`,
  ];
  for (const r of rows) {
    const ours = `${fmt(r.ours)} (${fmt(r.oursWall)})`;
    const lib = r.library === null || r.libraryWall === null ? '-' : `${fmt(r.library)} (${fmt(r.libraryWall)})`;
    const rt = r.library === null ? '-' : `${ratio(r.ours, r.library)} (${ratio(r.oursWall, r.libraryWall)})`;
    lines.push(`${r.name.padEnd(28)}${ours.padStart(18)}${lib.padStart(22)}${rt.padStart(18)}`);
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 1_000_000);
  runIndicatorBench(n)
    .then((rows) => process.stdout.write(formatIndicatorBench(rows, n)))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
