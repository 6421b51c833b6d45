import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { registerFundingCommand } from './data-funding.command';
import type { CandleGap, CandleImportSummary, Timeframe } from '@tb/market';

// Nest, the database and the market lib are loaded when a subcommand runs, never for `tb --help`.

/** Where the command writes: process streams by default, replaceable in tests. */
export interface DataCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

interface ImportOptions {
  exchange: string;
  symbol: string;
  timeframe: string;
  file: string;
  databaseUrl?: string;
  json?: boolean;
  progress?: boolean;
}

interface GapsOptions {
  file: string;
  timeframe?: string;
  json?: boolean;
}

/**
 * `tb data import` — stream a candle CSV into market_candles (validated, idempotent, one transaction).
 * `tb data gaps`   — list the missing candles of a CSV.
 */
export function registerDataCommand(program: Command, io: DataCommandIo = { stdout: process.stdout, stderr: process.stderr }): void {
  const data = program.command('data').description('market data: import candle files into the database, inspect gaps');

  data
    .command('import')
    .description('import a candle CSV (timestamp,open,high,low,close,volume; ms UTC) into market_candles; re-importing is a no-op')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. binance')
    .requiredOption('--symbol <symbol>', 'ccxt unified symbol, e.g. BTC/USDT or BTC/USDT:USDT')
    .requiredOption('--timeframe <tf>', 'candle timeframe, e.g. 1h (every row must be aligned to it)')
    .requiredOption('--file <path>', 'CSV file to import')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL from the environment)')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: ImportOptions) => {
      await runImport(opts, io);
    });

  data
    .command('gaps')
    .description('list the gaps (missing candles) of a candle CSV; gaps are reported, not errors')
    .requiredOption('--file <path>', 'CSV file to inspect')
    .option('--timeframe <tf>', 'expected timeframe (inferred from the spacing when absent)')
    .option('--json', 'print the gaps as JSON')
    .action(async (opts: GapsOptions) => {
      await runGaps(opts, io);
    });
  registerFundingCommand(data, io);
}

async function runImport(opts: ImportOptions, io: DataCommandIo): Promise<void> {
  const [{ Module }, { NestFactory }, { TbConfigModule, processEnv }, { DatabaseModule }, { CandleImportService, MarketCandlesRepository, MarketModule, parseMarketKey }, { SingleBar }] =
    await Promise.all([import('@nestjs/common'), import('@nestjs/core'), import('../lazy/config'), import('../lazy/database'), import('../lazy/market'), import('cli-progress')]);
  const key = parseMarketKey(opts);
  const size = (await stat(opts.file)).size;

  // Configuration comes from @tb/config (the only reader of the environment); --database-url overrides it.
  // The market lib as the apps load it: config, DatabaseModule (transactions), MarketModule.
  const env = { ...processEnv(), ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}), DB_POOL_SIZE: '2' };
  class DataImportModule {}
  Module({ imports: [TbConfigModule.forRoot({ env }), DatabaseModule, MarketModule] })(DataImportModule);
  const app = await NestFactory.createApplicationContext(DataImportModule, { logger: ['error', 'warn'] });
  try {
    const repo = app.get(MarketCandlesRepository);
    if (!(await repo.tableExists())) {
      throw new Error('table market_candles does not exist in this database: run `npm run migration:run` first');
    }
    const service = app.get(CandleImportService);
    const bar =
      opts.progress === false || opts.json
        ? undefined
        : new SingleBar({
            stream: io.stderr,
            format: 'importing |{bar}| {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}',
            barCompleteChar: '█',
            barIncompleteChar: '░',
            hideCursor: true,
            etaBuffer: 20,
          });
    const started = performance.now();
    bar?.start(size, 0, { rows: 0, speed: 0 });
    let summary: CandleImportSummary;
    try {
      summary = await service.importFile(key, opts.file, (p) => {
        const s = (performance.now() - started) / 1000;
        bar?.update(p.bytesRead, { rows: p.rows.toLocaleString('en-US'), speed: Math.round(p.rows / Math.max(s, 1e-3)).toLocaleString('en-US') });
      });
      bar?.update(size);
    } finally {
      bar?.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    io.stdout.write(opts.json ? `${JSON.stringify(importJson(summary, seconds))}\n` : formatImport(summary, seconds));
  } finally {
    await app.close();
  }
}

async function runGaps(opts: GapsOptions, io: DataCommandIo): Promise<void> {
  const { parseTimeframe, readCandleCsv } = await import('../lazy/market');
  const timeframe = opts.timeframe ? parseTimeframe(opts.timeframe) : undefined;
  const gaps: CandleGap[] = [];
  let tf: Timeframe | undefined;
  let rows = 0;
  let first: number | null = null;
  let last: number | null = null;
  for await (const b of readCandleCsv(opts.file, { timeframe })) {
    tf = b.timeframe;
    if (first === null) first = b.candles[0].time;
    last = b.candles[b.candles.length - 1].time;
    rows += b.candles.length;
    for (const g of b.gaps) gaps.push(g);
  }
  const missing = gaps.reduce((n, g) => n + g.missing, 0);
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify({ file: opts.file, timeframe: tf, rows, first, last, missing, gaps })}\n`,
    );
    return;
  }
  const out: string[] = [
    `${opts.file}: ${tf} candles, ${rows.toLocaleString('en-US')} rows, ${fmtTime(first)} → ${fmtTime(last)} UTC`,
    `${gaps.length} gap${gaps.length === 1 ? '' : 's'}, ${missing.toLocaleString('en-US')} missing candle${missing === 1 ? '' : 's'}`,
  ];
  for (const g of gaps) out.push(`  ${fmtTime(g.after)} → ${fmtTime(g.before)}  ${g.missing} missing`);
  io.stdout.write(`${out.join('\n')}\n`);
}

function importJson(s: CandleImportSummary, seconds: number): Record<string, unknown> {
  return {
    exchange: s.key.exchange,
    symbol: s.key.symbol,
    timeframe: s.timeframe,
    file: s.file,
    rows: s.rows,
    inserted: s.inserted,
    updated: s.updated,
    unchanged: s.unchanged,
    first: s.first,
    last: s.last,
    gaps: s.gaps.length,
    missing: s.missing,
    seconds: Number(seconds.toFixed(3)),
  };
}

function formatImport(s: CandleImportSummary, seconds: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [
    `imported ${s.file} → ${s.key.exchange} ${s.key.symbol} ${s.timeframe}`,
    `  rows read   ${n(s.rows)} (${fmtTime(s.first)} → ${fmtTime(s.last)} UTC)`,
    `  inserted    ${n(s.inserted)}`,
    `  updated     ${n(s.updated)}`,
    `  unchanged   ${n(s.unchanged)}`,
    `  gaps        ${n(s.gaps.length)} (${n(s.missing)} missing candles)`,
  ];
  for (const g of s.gaps.slice(0, 10)) lines.push(`    ${fmtTime(g.after)} → ${fmtTime(g.before)}  ${g.missing} missing`);
  if (s.gaps.length > 10) lines.push(`    … ${s.gaps.length - 10} more (tb data gaps --file ${s.file})`);
  lines.push(`  time        ${seconds.toFixed(2)} s (${n(Math.round(s.rows / Math.max(seconds, 1e-3)))} rows/s)`);
  return `${lines.join('\n')}\n`;
}

function fmtTime(ms: number | null): string {
  if (ms === null) return '-';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
