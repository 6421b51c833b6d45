import type { Command } from 'commander';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import {
  type AdxValue,
  type BollingerValue,
  type Timeframe,
  createAdxState,
  createAtrState,
  createBollingerState,
  createEmaState,
  createRsiState,
  createSmaState,
  createTrendStateState,
  parseTimeframe,
  updateAdx,
  updateAtr,
  updateBollinger,
  updateEma,
  updateRsi,
  updateSma,
  updateTrendState,
} from '@tb/strategies';

/**
 * `tb indicators --data FILE --out FILE.csv [--timeframe TF]`: streams a candle CSV
 * (timestamp,open,high,low,close,volume; ms UTC, ascending) through the strategies' streaming indicators and
 * writes one row per candle. Cells are empty while an indicator is warming up. Values are the library's, i.e.
 * the original system's semantics (e.g. sma_20 averages the partial window on the first 19 rows, Bollinger uses
 * the sample standard deviation, trend_state is HYPERRSI's multi-timeframe filter built from these candles).
 */

export const INDICATOR_COLUMNS = [
  'timestamp',
  'rsi_14',
  'ema_20',
  'sma_20',
  'atr_14',
  'bb_lower_20_2',
  'bb_middle_20_2',
  'bb_upper_20_2',
  'adx_14',
  'trend_state',
] as const;

export interface IndicatorsOptions {
  data: string;
  out: string;
  timeframe?: string;
}

export interface IndicatorsResult {
  rows: number;
  timeframe: Timeframe;
}

function cell(x: number): string {
  return x === x ? String(x) : '';
}

/**
 * Runs the command: reads `data` with the market lib's candle reader (validation, alignment to the timeframe,
 * which is inferred from the spacing when not given), writes `out` (atomically, via a temporary file).
 */
export async function runIndicators(opts: IndicatorsOptions): Promise<IndicatorsResult> {
  const { readCandleCsv } = await import('../lazy/market'); // on use: `tb --help` never loads the market lib
  const source = readCandleCsv(opts.data, opts.timeframe !== undefined ? { timeframe: parseTimeframe(opts.timeframe) } : {});
  let timeframe: Timeframe | undefined;

  const rsi = createRsiState(14);
  const ema = createEmaState(20);
  const sma = createSmaState(20);
  const atr = createAtrState(14);
  const bb = createBollingerState(20, 2);
  const adx = createAdxState(14, 14);
  let trend: ReturnType<typeof createTrendStateState> | undefined;
  const bbOut: BollingerValue = { upper: NaN, middle: NaN, lower: NaN };
  const adxOut: AdxValue = { adx: NaN, plusDi: NaN, minusDi: NaN };

  const tmp = `${opts.out}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let rows = 0;
  try {
    await write(`${INDICATOR_COLUMNS.join(',')}\n`);
    let chunk = '';
    for await (const batch of source) {
      timeframe ??= batch.timeframe;
      trend ??= createTrendStateState(batch.timeframe);
      for (const c of batch.candles) {
        updateBollinger(bb, c.close, bbOut);
        updateAdx(adx, c.high, c.low, c.close, adxOut);
        const ts = updateTrendState(trend, c);
        chunk +=
          `${c.time},${cell(updateRsi(rsi, c.close))},${cell(updateEma(ema, c.close))},${cell(updateSma(sma, c.close))},` +
          `${cell(updateAtr(atr, c.high, c.low, c.close))},${cell(bbOut.lower)},${cell(bbOut.middle)},${cell(bbOut.upper)},` +
          `${cell(adxOut.adx)},${ts === null ? '' : ts}\n`;
        rows++;
      }
      if (chunk.length >= 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
    out.end();
    await once(out, 'finish');
    renameSync(tmp, opts.out);
  } catch (err) {
    // let in-flight writes land before removing the temporary file (destroying the stream mid-write would make
    // the pending fs callback throw an unhandled ERR_STREAM_DESTROYED)
    await new Promise<void>((resolve) => {
      out.once('error', () => resolve());
      out.end(() => resolve());
    });
    rmSync(tmp, { force: true });
    throw err;
  }
  return { rows, timeframe: timeframe! };
}

export function registerIndicatorsCommand(program: Command): void {
  program
    .command('indicators')
    .description(
      'compute rsi_14, ema_20, sma_20, atr_14, Bollinger(20, 2), adx_14 and trend_state for a candle CSV ' +
        '(timestamp,open,high,low,close,volume) and write them as CSV (empty cells during warm-up)',
    )
    .requiredOption('--data <file>', 'input candle CSV')
    .requiredOption('--out <file>', 'output CSV')
    .option('--timeframe <tf>', 'candle timeframe (1m..1d); inferred from the candle spacing when omitted')
    .action(async (o: IndicatorsOptions) => {
      const r = await runIndicators(o);
      process.stdout.write(`tb indicators: ${r.rows} ${r.timeframe} candles -> ${o.out}\n`);
    });
}
