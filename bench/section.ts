import { runBacktestBench } from './backtest.bench';
import { runIndicatorBench } from './indicators.bench';
// The decision benchmarks live beside their strategies (dev tooling, not part of @tb/strategies' public API).
import { runGridDecisionBench } from '../libs/strategies/src/grid/grid.bench';
import { runHyperrsiDecisionBench } from '../libs/strategies/src/hyperrsi/hyperrsi.bench';

/**
 * One benchmark section, run in its own process by bench/run.ts so that its peak RSS is its own:
 *
 *   node -r ./scripts/register.js bench/section.ts <section> <candles>
 *
 * Whatever the benchmark prints goes to stdout as usual; the result is the last line, prefixed with
 * RESULT_PREFIX, as JSON: { section, candles, rows, peakRssMb, cpuSeconds, wallSeconds }.
 */
export const RESULT_PREFIX = '@@bench-result ';

export const SECTIONS = ['indicators', 'hyperrsi', 'grid', 'backtest-hyperrsi', 'backtest-grid'] as const;
export type Section = (typeof SECTIONS)[number];

export interface SectionResult {
  readonly section: Section;
  readonly candles: number;
  readonly rows: readonly unknown[];
  /** Peak resident set size of this process (MB). */
  readonly peakRssMb: number;
  /** CPU (user + system) and wall-clock seconds of the whole section, set-up and warm-up included. */
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

export function isSection(x: string): x is Section {
  return (SECTIONS as readonly string[]).includes(x);
}

async function runSection(section: Section, n: number): Promise<readonly unknown[]> {
  switch (section) {
    case 'indicators':
      return runIndicatorBench(n);
    case 'hyperrsi':
      return runHyperrsiDecisionBench(n);
    case 'grid':
      return runGridDecisionBench(n);
    case 'backtest-hyperrsi':
      return runBacktestBench(n, ['hyperrsi']);
    case 'backtest-grid':
      return runBacktestBench(n, ['grid']);
  }
}

async function main(): Promise<void> {
  const [name, count] = process.argv.slice(2);
  if (!name || !isSection(name)) throw new Error(`usage: bench/section.ts <${SECTIONS.join('|')}> [candles]`);
  const n = count === undefined ? 1_000_000 : Number(count);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad candle count "${count}"`);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const rows = await runSection(name, n);
  const cpu = process.cpuUsage(cpu0);
  const result: SectionResult = {
    section: name,
    candles: n,
    rows,
    peakRssMb: process.resourceUsage().maxRSS / 1024, // maxRSS is in kilobytes
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
