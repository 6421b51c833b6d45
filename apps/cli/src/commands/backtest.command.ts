import { existsSync, readFileSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Command } from 'commander';
import {
  RANKABLE_METRICS,
  expandSweep,
  findFundingCsv,
  fmtNum,

  formatSummary,
  getStrategy,
  isRankMetric,
  parseSweepSpec,
  rankResults,
  readFundingCsv,
  runBacktest,
  runBacktestAsync,
  strategyNames,
  textTable,
  writeBacktestReport,
  type BacktestCommand,
  type BacktestInput,
  type BacktestMetrics,
  type RankMetric,
} from '@tb/backtest';
import type { FundingRate, MarginMode } from '@tb/matching';
import { isPerpSymbol, parseTimeframe, symbolForMarket, type CandleColumns, type MarketSpec, type Timeframe } from '@tb/strategies';

/**
 * `tb backtest`: run a strategy over a candle CSV, print a freqtrade-style summary, write result.json,
 * trades.csv and a self-contained report.html; or, with --sweep, run a settings grid in parallel worker
 * threads and print a ranked table.
 */

interface BacktestOptions {
  strategy: string;
  data: string;
  timeframe: string;
  symbol?: string;
  market?: string;
  settings?: string;
  commands?: string;
  from?: string;
  to?: string;
  balance: string;
  feeMaker: string;
  feeTaker: string;
  slippage: string;
  leverage?: string;
  mmr: string;
  marginMode?: string;
  funding?: string | boolean;
  limitFill: string;
  tickSize: string;
  amountStep: string;
  minNotional: string;
  out?: string;
  sweep?: string;
  rankBy: string;
  workers?: string;
  top: string;
  progress: boolean;
}

/** Everything a worker needs to rebuild the run (plain data only). */
interface RunSpec {
  strategy: string;
  market: MarketSpec;
  timeframe: Timeframe;
  initialBalance: number;
  feeMaker: number;
  feeTaker: number;
  slippage: number;
  leverage: number;
  maintenanceMarginRate: number;
  /** undefined = the strategy's default */
  marginMode?: MarginMode;
  /** perp: funding CSV path (null = none) */
  fundingFile: string | null;
  limitFill: 'through' | 'touch';
  from?: number;
  to?: number;
}

const SWEEP_WORKER = 'tb-backtest-sweep-worker';

function num(name: string, v: string, min = -Infinity): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number${min > -Infinity ? ` >= ${min}` : ''} (got "${v}")`);
  return n;
}

/** 'YYYY-MM-DD' (UTC), a full ISO time, or epoch ms. A date-only `to` means the end of that day. */
export function parseDate(v: string, endOfDay = false): number {
  if (/^\d{10,}$/.test(v)) return Number(v);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const t = Date.parse(dateOnly ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) throw new Error(`bad date "${v}" (expected YYYY-MM-DD, ISO-8601 or epoch ms)`);
  return dateOnly && endOfDay ? t + 86_400_000 - 1 : t;
}

function loadSettings(v: string | undefined): Record<string, unknown> {
  if (!v) return {};
  const text = v.trim().startsWith('{') ? v : existsSync(v) ? readFileSync(v, 'utf8') : null;
  if (text === null) throw new Error(`--settings: "${v}" is neither JSON nor an existing file`);
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('--settings must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * --commands <file>: a JSON array of trader commands `{"time": <candle open time, epoch ms or ISO>, "id"?: string,
 * "command": {...}}` (docs/adr/0018-trader-commands.md); each is applied after the decision on that candle. A bot's
 * journal gives them: each `command` decision's candleTime, command.id and command.command.
 */
export function loadCommands(v: string | undefined): BacktestCommand[] | undefined {
  if (!v) return undefined;
  if (!existsSync(v)) throw new Error(`--commands: no such file "${v}"`);
  const parsed: unknown = JSON.parse(readFileSync(v, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error('--commands must be a JSON array of {time, id?, command}');
  return parsed.map((x: unknown, i) => {
    const o = x as { time?: unknown; id?: unknown; command?: unknown };
    if (!o || typeof o !== 'object' || (typeof o.time !== 'number' && typeof o.time !== 'string') || typeof o.command !== 'object' || o.command === null) {
      throw new Error(`--commands[${i}] must be {time, id?, command}`);
    }
    if (o.id !== undefined && typeof o.id !== 'string') throw new Error(`--commands[${i}].id must be a string`);
    const time = typeof o.time === 'number' ? o.time : parseDate(o.time);
    return { time, command: o.command, ...(typeof o.id === 'string' ? { id: o.id } : {}) };
  });
}

function buildSpec(o: BacktestOptions, settings: Record<string, unknown>): RunSpec {
  const strategy = o.strategy.toLowerCase();
  const parsedSettings = getStrategy(strategy).parseSettings(settings) as { leverage?: unknown }; // fail fast on bad input
  const symbolIn = o.symbol ?? guessSymbol(o.data);
  const type = (o.market ?? (isPerpSymbol(symbolIn) || strategy === 'hyperrsi' ? 'perp' : 'spot')) as 'spot' | 'perp';
  if (type !== 'spot' && type !== 'perp') throw new Error('--market must be spot or perp');
  const symbol = symbolForMarket(symbolIn, type);
  // the engine's margin leverage is the one the strategy sizes with (its parsed settings, defaults included)
  const settingsLev = typeof parsedSettings.leverage === 'number' ? parsedSettings.leverage : undefined;
  const limitFill = o.limitFill as 'through' | 'touch';
  if (limitFill !== 'through' && limitFill !== 'touch') throw new Error('--limit-fill must be through or touch');
  if (o.marginMode !== undefined && o.marginMode !== 'isolated' && o.marginMode !== 'cross') throw new Error('--margin-mode must be isolated or cross');
  // funding (perp): --funding <csv>, or the data folder's <exchange>_<BASE-QUOTE>_funding*.csv; --no-funding for none
  let fundingFile: string | null = null;
  if (type === 'perp' && o.funding !== false) {
    fundingFile = typeof o.funding === 'string' ? o.funding : findFundingCsv(o.data);
    if (fundingFile !== null && !existsSync(fundingFile)) throw new Error(`--funding: no such file "${fundingFile}"`);
  }
  return {
    strategy,
    market: { symbol, type, tickSize: num('tick-size', o.tickSize, 0), amountStep: num('amount-step', o.amountStep, 0), minAmount: num('amount-step', o.amountStep, 0), minNotional: num('min-notional', o.minNotional, 0) },
    timeframe: parseTimeframe(o.timeframe),
    initialBalance: num('balance', o.balance, 0),
    feeMaker: num('fee-maker', o.feeMaker, 0),
    feeTaker: num('fee-taker', o.feeTaker, 0),
    slippage: num('slippage', o.slippage, 0),
    leverage: type === 'perp' ? (o.leverage !== undefined ? num('leverage', o.leverage, 1) : (settingsLev ?? 1)) : 1,
    maintenanceMarginRate: num('mmr', o.mmr, 0),
    marginMode: o.marginMode as MarginMode | undefined,
    fundingFile,
    limitFill,
    from: o.from ? parseDate(o.from) : undefined,
    to: o.to ? parseDate(o.to, true) : undefined,
  };
}

/** 'binance_BTC-USDT_1h.csv' -> 'BTC/USDT' (fallback 'BTC/USDT'). */
function guessSymbol(file: string): string {
  const m = /([A-Z0-9]+)-([A-Z0-9]+)/.exec(basename(file));
  return m ? `${m[1]}/${m[2]}` : 'BTC/USDT';
}

function inputFor(spec: RunSpec, candles: CandleColumns, settings: unknown, funding?: readonly FundingRate[], commands?: readonly BacktestCommand[]): BacktestInput {
  return {
    ...(commands ? { commands } : {}),
    strategy: getStrategy(spec.strategy),
    settings,
    candles,
    market: spec.market,
    timeframe: spec.timeframe,
    initialBalance: spec.initialBalance,
    feeMaker: spec.feeMaker,
    feeTaker: spec.feeTaker,
    slippage: spec.slippage,
    leverage: spec.leverage,
    maintenanceMarginRate: spec.maintenanceMarginRate,
    marginMode: spec.marginMode,
    funding,
    limitFill: spec.limitFill,
    from: spec.from,
    to: spec.to,
  };
}

async function progressBar(): Promise<{ update(done: number, total: number): void; stop(): void }> {
  const { SingleBar, Presets } = await import('cli-progress');
  const started = process.hrtime.bigint();
  let bar: InstanceType<typeof SingleBar> | null = null;
  return {
    update(done, total) {
      if (!bar) {
        if (Number(process.hrtime.bigint() - started) < 1e9 || done >= total) return; // only for runs longer than a second
        bar = new SingleBar({ stream: process.stderr, format: 'backtest [{bar}] {percentage}% | {value}/{total} candles | ETA {eta}s', hideCursor: true }, Presets.shades_classic);
        bar.start(total, done);
      } else bar.update(done);
    },
    stop() {
      if (bar) {
        bar.update(bar.getTotal());
        bar.stop();
      }
    },
  };
}

/**
 * The candle CSV as columns (on SharedArrayBuffers for the sweep's worker threads), through the market lib's one
 * reader. Loaded on use: @tb/market also carries its Nest modules, which `tb --help` and the workers never need.
 */
async function readCandles(file: string, timeframe: Timeframe, shared: boolean): Promise<CandleColumns> {
  const { loadCandleColumnsFile } = await import('../lazy/market');
  return (await loadCandleColumnsFile(file, { timeframe, shared })).columns;
}

async function runSingle(o: BacktestOptions): Promise<void> {
  const settings = loadSettings(o.settings);
  const spec = buildSpec(o, settings);
  const candles = await readCandles(o.data, spec.timeframe, false);
  const funding = spec.fundingFile !== null ? readFundingCsv(spec.fundingFile) : undefined;
  if (spec.fundingFile !== null) process.stderr.write(`funding: ${spec.fundingFile} (${funding?.length ?? 0} rates)\n`);
  const bar = o.progress ? await progressBar() : null;
  const t0 = process.hrtime.bigint();
  let result;
  try {
    result = await runBacktestAsync({ ...inputFor(spec, candles, settings, funding, loadCommands(o.commands)), progressEvery: 16_384, onProgress: (p) => bar?.update(p.done, p.total) });
  } finally {
    bar?.stop();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(formatSummary(result));
  const out = o.out ?? join('backtests', `${spec.strategy}_${spec.market.symbol.replace(/[/:]/g, '-')}_${spec.timeframe}`);
  const files = await writeBacktestReport(result, candles, out);
  process.stdout.write(
    `\n${result.metrics.candles} candles in ${seconds.toFixed(2)} s (${Math.round(result.metrics.candles / seconds).toLocaleString('en-US')} candles/s)\n` +
      `wrote ${files.resultJson}\n      ${files.tradesCsv}\n      ${files.reportHtml}\n`,
  );
}

interface SweepRow {
  id: number;
  settings: Record<string, unknown>;
  metrics: BacktestMetrics | null;
  error?: string;
}

function workerExecArgv(): string[] {
  // running the TypeScript sources (npm run tb): workers need the same swc hook
  if (!__filename.endsWith('.ts')) return [];
  return ['-r', resolve(__dirname, '..', '..', '..', '..', 'scripts', 'register.js')];
}

async function runSweep(o: BacktestOptions): Promise<void> {
  const base = loadSettings(o.settings);
  const spec = buildSpec(o, base);
  if (!isRankMetric(o.rankBy)) throw new Error(`--rank-by must be one of ${RANKABLE_METRICS.join(', ')}`);
  const rankBy: RankMetric = o.rankBy;
  const params = parseSweepSpec(o.sweep as string);
  const combos = expandSweep(params, base);
  const strategy = getStrategy(spec.strategy);
  combos.forEach((c, i) => {
    try {
      strategy.parseSettings(c);
    } catch (e) {
      throw new Error(`sweep combination ${i + 1} ${JSON.stringify(c)}: ${(e as Error).message}`);
    }
  });
  const candles = await readCandles(o.data, spec.timeframe, true);
  const nWorkers = Math.max(1, Math.min(o.workers ? num('workers', o.workers, 1) : cpus().length, combos.length));
  process.stderr.write(`sweep: ${combos.length} combinations of ${params.map((p) => p.name).join(', ')} on ${nWorkers} worker thread(s)\n`);
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = o.progress ? new SingleBar({ stream: process.stderr, format: 'sweep [{bar}] {value}/{total} runs | ETA {eta}s', hideCursor: true }, Presets.shades_classic) : null;
  bar?.start(combos.length, 0);
  const rows: SweepRow[] = [];
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: nWorkers }, () => {
      return new Promise<void>((resolveWorker, reject) => {
        const w = new Worker(__filename, { workerData: { kind: SWEEP_WORKER, spec, candles }, execArgv: workerExecArgv() });
        const feed = () => {
          if (next >= combos.length) {
            void w.terminate().then(() => resolveWorker());
            return;
          }
          const id = next++;
          w.postMessage({ id, settings: combos[id] });
        };
        w.on('message', (msg: SweepRow) => {
          rows.push(msg);
          bar?.increment();
          feed();
        });
        w.on('error', reject);
        w.on('online', feed);
      });
    }),
  );
  bar?.stop();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ranked = rankResults(rows, rankBy);
  const top = Math.max(1, num('top', o.top, 1));
  const names = params.map((p) => p.name);
  const table = textTable(
    `SWEEP RESULTS (ranked by ${rankBy})`,
    ['#', ...names, 'Trades', 'Return %', 'CAGR %', 'Sharpe', 'Sortino', 'Calmar', 'Max DD %', 'Win %', 'PF'],
    ranked.slice(0, top).map((r, k) => {
      const m = r.metrics;
      const vals = names.map((n) => String(r.settings[n]));
      if (!m) return [String(k + 1), ...vals, 'error', r.error ?? '', '', '', '', '', '', '', ''];
      return [String(k + 1), ...vals, String(m.trades), fmtNum(m.totalReturnPct), fmtNum(m.cagrPct), fmtNum(m.sharpe), fmtNum(m.sortino), fmtNum(m.calmar), fmtNum(m.maxDrawdownPct), fmtNum(m.winRatePct, 1), fmtNum(m.profitFactor)];
    }),
  );
  process.stdout.write(`${table}\n\n${combos.length} runs in ${seconds.toFixed(2)} s on ${nWorkers} worker(s); best ${rankBy}: ${ranked[0]?.metrics ? fmtNum(ranked[0].metrics[rankBy] as number | null, 4) : '-'}\n`);
  const failed = rows.filter((r) => !r.metrics);
  if (failed.length) process.stderr.write(`${failed.length} run(s) failed, first: ${failed[0].error}\n`);
  if (o.out) {
    await mkdir(o.out, { recursive: true });
    const file = join(o.out, 'sweep.json');
    await writeFile(file, JSON.stringify({ rankBy, params, results: ranked.map((r) => ({ settings: r.settings, metrics: r.metrics && { ...r.metrics, monthly: undefined }, error: r.error })) }, null, 1));
    process.stdout.write(`wrote ${file}\n`);
  }

}

/** Worker side of the sweep: receives {id, settings}, answers {id, settings, metrics | error}. */
function runSweepWorker(): void {
  const { spec, candles } = workerData as { spec: RunSpec; candles: CandleColumns };
  const funding = spec.fundingFile !== null ? readFundingCsv(spec.fundingFile) : undefined;
  parentPort?.on('message', (msg: { id: number; settings: Record<string, unknown> }) => {
    let row: SweepRow;
    try {
      const r = runBacktest(inputFor(spec, candles, msg.settings, funding));
      row = { id: msg.id, settings: msg.settings, metrics: r.metrics };
    } catch (e) {
      row = { id: msg.id, settings: msg.settings, metrics: null, error: (e as Error).message };
    }
    parentPort?.postMessage(row);
  });
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === SWEEP_WORKER) runSweepWorker();

export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('backtest a strategy on a candle CSV (timestamp,open,high,low,close,volume; ms UTC)')
    .requiredOption('--strategy <name>', `strategy: ${strategyNames().join(' | ')}`)
    .requiredOption('--data <file>', 'candle CSV file')
    .requiredOption('--timeframe <tf>', 'candle timeframe of the file (1m, 5m, 1h, 4h, 1d, ...)')
    .option('--symbol <symbol>', 'ccxt symbol (default: from the file name, e.g. BTC/USDT)')
    .option('--market <type>', 'spot | perp (default: perp for hyperrsi or a :USDT symbol, else spot)')
    .option('--settings <json|file>', 'strategy settings as JSON or a JSON file (defaults filled in)')
    .option('--commands <file>', 'trader commands: JSON array of {time, id?, command}, each applied after the decision on the candle opening at time')
    .option('--from <date>', 'first candle (YYYY-MM-DD UTC, ISO time or epoch ms)')
    .option('--to <date>', 'last candle, inclusive (a date means the whole day)')
    .option('--balance <n>', 'initial quote balance', '10000')
    .option('--fee-maker <rate>', 'maker fee rate', '0.0002')
    .option('--fee-taker <rate>', 'taker fee rate', '0.0005')
    .option('--slippage <rate>', 'adverse slippage on market/stop fills', '0.0005')
    .option('--leverage <n>', 'perp leverage (default: settings.leverage or 1)')
    .option('--mmr <rate>', 'maintenance margin rate (perp)', '0.005')
    .option('--margin-mode <mode>', 'perp: isolated | cross (default: the strategy\'s; cross for hyperrsi)')
    .option('--funding <csv>', 'perp: funding history CSV timestamp,rate (default: <exchange>_<BASE-QUOTE>_funding*.csv next to --data)')
    .option('--no-funding', 'perp: charge no funding')
    .option('--limit-fill <rule>', 'through | touch', 'through')
    .option('--tick-size <n>', 'price tick', '0.01')
    .option('--amount-step <n>', 'amount step (and minimum amount)', '0.0001')
    .option('--min-notional <n>', 'minimum order value (quote)', '5')
    .option('--out <dir>', 'output directory (default backtests/<strategy>_<symbol>_<tf>)')
    .option('--sweep <spec>', "settings grid, e.g. 'rsi_oversold=20..35:5,pyramiding_limit=2..5' (name=a|b|c lists too)")
    .option('--rank-by <metric>', `sweep ranking metric: ${RANKABLE_METRICS.join(', ')}`, 'sharpe')
    .option('--workers <n>', 'sweep worker threads (default: number of CPUs)')
    .option('--top <n>', 'sweep rows to print', '20')
    .option('--no-progress', 'no progress bar')
    .action(async (o: BacktestOptions) => {
      if (o.sweep) await runSweep(o);
      else await runSingle(o);
    });
}
