import type { Command } from 'commander';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  type AdxValue,
  type BollingerValue,
  type Candle,
  type Timeframe,
  createAdxState,
  createAtrState,
  createBollingerState,
  createEmaState,
  createRsiState,
  createSmaState,
  createTrendStateState,
  parseTimeframe,
  timeframeFromMinutes,
  timeframeMs,
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

const EXPECTED_HEADER = ['timestamp', 'open', 'high', 'low', 'close', 'volume'];
/** Candles buffered to infer the timeframe from their spacing when --timeframe is not given. */
const INFER_WINDOW = 500;

export interface IndicatorsOptions {
  data: string;
  out: string;
  timeframe?: string;
}

export interface IndicatorsResult {
  rows: number;
  timeframe: Timeframe;
}

export class CandleCsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'CandleCsvError';
  }
}

interface NumberedCandle {
  line: number;
  candle: Candle;
}

function parseNumber(file: string, line: number, name: string, text: string): number {
  const t = text.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw new CandleCsvError(file, line, `${name} is not a finite number: "${text}"`);
  return v;
}

/**
 * Small streaming reader for a candle CSV: validates the header, the field count, every numeric field, and that
 * timestamps are integers in strictly ascending order. Blank lines are skipped. (The full loader lives in the
 * market lib; this one stays local to the command on purpose.)
 */
export async function* readCandleCsv(file: string): AsyncGenerator<NumberedCandle> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  let prevTime = -Infinity;
  try {
    for await (const raw of rl) {
      line++;
      if (line === 1) {
        const header = raw
          .replace(/^\uFEFF/, '')
          .split(',')
          .map((h) => h.trim().toLowerCase());
        if (header.join(',') !== EXPECTED_HEADER.join(',')) {
          throw new CandleCsvError(file, line, `expected header "${EXPECTED_HEADER.join(',')}", got "${raw}"`);
        }
        continue;
      }
      if (raw.trim() === '') continue;
      const f = raw.split(',');
      if (f.length !== 6) throw new CandleCsvError(file, line, `expected 6 fields, got ${f.length}`);
      const time = parseNumber(file, line, 'timestamp', f[0]);
      if (!Number.isInteger(time)) throw new CandleCsvError(file, line, `timestamp is not an integer: "${f[0]}"`);
      if (time <= prevTime) throw new CandleCsvError(file, line, `timestamp ${time} is not after the previous ${prevTime}`);
      prevTime = time;
      const candle: Candle = {
        time,
        open: parseNumber(file, line, 'open', f[1]),
        high: parseNumber(file, line, 'high', f[2]),
        low: parseNumber(file, line, 'low', f[3]),
        close: parseNumber(file, line, 'close', f[4]),
        volume: parseNumber(file, line, 'volume', f[5]),
      };
      yield { line, candle };
    }
  } finally {
    rl.close();
  }
  if (line === 0) throw new CandleCsvError(file, 1, 'empty file (no header)');
}

/** The timeframe whose length is the smallest gap between consecutive candles. */
export function inferTimeframe(times: readonly number[]): Timeframe {
  let step = Infinity;
  for (let i = 1; i < times.length; i++) step = Math.min(step, times[i] - times[i - 1]);
  if (!Number.isFinite(step)) throw new Error('cannot infer the timeframe from fewer than 2 candles; pass --timeframe');
  const tf = step % 60_000 === 0 ? timeframeFromMinutes(step / 60_000) : undefined;
  if (!tf) throw new Error(`cannot infer the timeframe: candles are ${step} ms apart; pass --timeframe`);
  return tf;
}

function cell(x: number): string {
  return x === x ? String(x) : '';
}

/** Runs the command: reads `data`, writes `out` (atomically, via a temporary file). */
export async function runIndicators(opts: IndicatorsOptions): Promise<IndicatorsResult> {
  const source = readCandleCsv(opts.data)[Symbol.asyncIterator]();
  const buffered: NumberedCandle[] = [];
  let timeframe: Timeframe;
  if (opts.timeframe !== undefined) {
    timeframe = parseTimeframe(opts.timeframe);
  } else {
    while (buffered.length < INFER_WINDOW) {
      const r = await source.next();
      if (r.done) break;
      buffered.push(r.value);
    }
    timeframe = inferTimeframe(buffered.map((b) => b.candle.time));
  }
  const tfMs = timeframeMs(timeframe);

  const rsi = createRsiState(14);
  const ema = createEmaState(20);
  const sma = createSmaState(20);
  const atr = createAtrState(14);
  const bb = createBollingerState(20, 2);
  const adx = createAdxState(14, 14);
  const trend = createTrendStateState(timeframe);
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
    const handle = async ({ line, candle: c }: NumberedCandle): Promise<void> => {
      if (c.time % tfMs !== 0) throw new CandleCsvError(opts.data, line, `timestamp ${c.time} is not aligned to ${timeframe}`);
      updateBollinger(bb, c.close, bbOut);
      updateAdx(adx, c.high, c.low, c.close, adxOut);
      const ts = updateTrendState(trend, c);
      chunk +=
        `${c.time},${cell(updateRsi(rsi, c.close))},${cell(updateEma(ema, c.close))},${cell(updateSma(sma, c.close))},` +
        `${cell(updateAtr(atr, c.high, c.low, c.close))},${cell(bbOut.lower)},${cell(bbOut.middle)},${cell(bbOut.upper)},` +
        `${cell(adxOut.adx)},${ts === null ? '' : ts}\n`;
      rows++;
      if (chunk.length >= 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    };
    for (const b of buffered) await handle(b);
    for (let r = await source.next(); !r.done; r = await source.next()) await handle(r.value);
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
    await source.return?.(undefined);
    throw err;
  }
  return { rows, timeframe };
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
