import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
// the engine and CSV modules only (not the @tb/backtest / @tb/market indexes, which also load Nest/TypeORM modules):
// the peak RSS reported is the backtest's
import { runBacktest } from '../libs/backtest/src/engine/backtest.runner';
import { parseCandleColumns } from '../libs/market/src/candles/candle-csv.reader';
import { findStrategy, type RunnableStrategy } from '../libs/backtest/src/engine/strategy.registry';
import type { CandleColumns, MarketSpec } from '@tb/strategies';

/**
 * Full-backtest throughput: candles/s and peak RSS for HYPERRSI and GRID (when they are registered) and the
 * sma_cross reference strategy, on `n` candles synthesised deterministically from the committed BTC/USDT 1h
 * 2024 fixture: the fixture is played forward, then backward in time (each candle mirrored: open and close
 * swapped), and so on, which keeps the price path continuous and bounded for any n.
 */
const FIXTURE = resolve(__dirname, '..', 'test', 'fixtures', 'candles', 'binance_BTC-USDT_1h_2024.csv');
const HOUR = 3_600_000;

export function synthesiseCandles(n: number): CandleColumns {
  const src = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
  const m = src.length;
  const out = {
    length: n,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  const t0 = src.time[0];
  for (let i = 0; i < n; i++) {
    const cycle = Math.floor(i / m);
    const j = i % m;
    const fwd = cycle % 2 === 0;
    const k = fwd ? j : m - 1 - j;
    out.time[i] = t0 + i * HOUR;
    out.open[i] = fwd ? src.open[k] : src.close[k];
    out.close[i] = fwd ? src.close[k] : src.open[k];
    out.high[i] = src.high[k];
    out.low[i] = src.low[k];
    out.volume[i] = src.volume[k];
  }
  return out;
}

const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 };

/** HYPERRSI with every feature on (the bench's "full" settings; the golden cases use them too). */
export const HYPERRSI_FULL_SETTINGS: Readonly<Record<string, unknown>> = {
  direction: 'both',
  leverage: 10,
  use_trend_logic: true,
  use_trend_close: true,
  pyramiding_limit: 4,
  use_sl: true,
  use_break_even: true,
  use_break_even_tp2: true,
  use_break_even_tp3: true,
  trailing_stop_active: true,
  use_tp1: true,
  use_tp2: true,
  use_tp3: true,
  use_dual_side_entry: true,
};

/** Settings that switch every feature on, tried first; the strategy's defaults when they do not parse. */
const FULL_SETTINGS: Record<string, unknown[]> = {
  hyperrsi: [
    HYPERRSI_FULL_SETTINGS,
    {},
  ],
  grid: [{}],
  sma_cross: [{ fast: 10, slow: 30, leverage: 3 }],
};

/**
 * The figures before the backtest-realism work (issue 11), from the project note of 2026-12-03, same bench and
 * machine, load ~0.4: shown next to today's so a change is visible at a glance.
 */
export const BACKTEST_BASELINE: Readonly<Record<string, { candlesPerSecond: number; peakRssMb: number }>> = {
  hyperrsi: { candlesPerSecond: 1_275_953, peakRssMb: 283 },
  grid: { candlesPerSecond: 140_000, peakRssMb: 479 },
};

export interface BacktestBenchRow {
  readonly strategy: string;
  readonly candles: number;
  readonly seconds: number;
  readonly candlesPerSecond: number;
  /** CPU time of the run (user + system, all threads) and candles per CPU second: steadier on a shared machine */
  readonly cpuSeconds: number;
  readonly candlesPerCpuSecond: number;
  readonly trades: number;
  readonly peakRssMb: number;
  readonly settings: string;
}

function pickSettings(name: string, s: RunnableStrategy): unknown {
  for (const cand of FULL_SETTINGS[name] ?? [{}]) {
    try {
      s.parseSettings(cand);
      return cand;
    } catch {
      /* try the next candidate */
    }
  }
  return {};
}

export async function runBacktestBench(n = 1_000_000, only?: readonly string[]): Promise<BacktestBenchRow[]> {
  const candles = synthesiseCandles(n);
  const rows: BacktestBenchRow[] = [];
  for (const name of only?.length ? only : ['hyperrsi', 'grid', 'sma_cross']) {
    const strategy = findStrategy(name);
    if (!strategy) {
      process.stdout.write(`backtest bench: strategy "${name}" is not registered yet, skipped\n`);
      continue;
    }
    const settings = pickSettings(name, strategy);
    const market = name === 'grid' ? SPOT : PERP;
    // warm-up on a slice so the JIT has compiled the hot loop
    runBacktest({ strategy, settings, candles: { ...candles, length: Math.min(n, 20_000) }, market, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005, leverage: 10, to: candles.time[Math.min(n, 20_000) - 1] });
    const t = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const r = runBacktest({ strategy, settings, candles, market, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005, leverage: 10 });
    const cpu = process.cpuUsage(c0);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const row: BacktestBenchRow = {
      strategy: name,
      candles: n,
      seconds,
      candlesPerSecond: n / seconds,
      cpuSeconds,
      candlesPerCpuSecond: n / cpuSeconds,
      trades: r.trades.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      settings: JSON.stringify(settings),
    };
    rows.push(row);
    process.stdout.write(
      `backtest ${name.padEnd(9)} ${n.toLocaleString('en-US')} candles in ${seconds.toFixed(2)} s = ${Math.round(row.candlesPerSecond).toLocaleString('en-US')} candles/s ` +
        `(CPU ${cpuSeconds.toFixed(2)} s = ${Math.round(row.candlesPerCpuSecond).toLocaleString('en-US')} candles/CPU-s), ` +
        `${row.trades} trades, settings ${row.settings.length > 2 ? "full" : "defaults"}, peak RSS ${row.peakRssMb.toFixed(0)} MB (heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB)\n`,
    );
  }
  process.stdout.write(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}\n`);
  return rows;
}

if (require.main === module) {
  // node -r ./scripts/register.js bench/backtest.bench.ts [candles] [strategy ...]
  const n = Number(process.argv[2] ?? 1_000_000);
  runBacktestBench(n, process.argv.slice(3)).catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
