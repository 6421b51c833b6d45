/**
 * One benchmark section, run in its own process by bench/run.ts so that its peak RSS is its own:
 *
 *   node -r ./scripts/register.js bench/section.ts <section> <candles>
 *
 * Whatever the benchmark prints goes to stdout as usual; the result is the last line, prefixed with
 * RESULT_PREFIX, as JSON: { section, candles, rows, baseRssMb, peakRssMb, cpuSeconds, wallSeconds }. Each section
 * loads only its own modules (the decision benchmarks live beside their strategies: dev tooling, not part of
 * @tb/strategies' public API, hence the relative imports), so the baseline RSS is that of its code alone.
 */
export const RESULT_PREFIX = '@@bench-result ';

export const SECTIONS = ['indicators', 'hyperrsi', 'grid', 'backtest-hyperrsi', 'backtest-grid'] as const;
export type Section = (typeof SECTIONS)[number];

export interface SectionResult {
  readonly section: Section;
  readonly candles: number;
  readonly rows: readonly unknown[];
  /** Resident set size once the section's modules are loaded, before its input is built (MB). */
  readonly baseRssMb: number;
  /** Peak resident set size of this process (MB). */
  readonly peakRssMb: number;
  /** CPU (user + system) and wall-clock seconds of the whole section, set-up and warm-up included. */
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

export function isSection(x: string): x is Section {
  return (SECTIONS as readonly string[]).includes(x);
}

/** Loads the section's benchmark and returns the function that runs it over n candles. */
async function load(section: Section): Promise<(n: number) => unknown[] | Promise<unknown[]>> {
  switch (section) {
    case 'indicators': {
      const m = await import('./indicators.bench');
      return (n) => m.runIndicatorBench(n);
    }
    case 'hyperrsi': {
      const m = await import('../libs/strategies/src/hyperrsi/hyperrsi.bench');
      return (n) => m.runHyperrsiDecisionBench(n);
    }
    case 'grid': {
      const m = await import('../libs/strategies/src/grid/grid.bench');
      return (n) => m.runGridDecisionBench(n);
    }
    case 'backtest-hyperrsi':
    case 'backtest-grid': {
      const m = await import('./backtest.bench');
      const name = section === 'backtest-grid' ? 'grid' : 'hyperrsi';
      return (n) => m.runBacktestBench(n, [name]);
    }
  }
}

async function main(): Promise<void> {
  const [name, count] = process.argv.slice(2);
  if (!name || !isSection(name)) throw new Error(`usage: bench/section.ts <${SECTIONS.join('|')}> [candles]`);
  const n = count === undefined ? 1_000_000 : Number(count);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad candle count "${count}"`);
  const run = await load(name);
  const baseRssMb = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const rows = await run(n);
  const cpu = process.cpuUsage(cpu0);
  const result: SectionResult = {
    section: name,
    candles: n,
    rows,
    baseRssMb,
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
