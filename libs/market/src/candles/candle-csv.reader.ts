import { createReadStream, type ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Candle, CandleColumns, Timeframe } from '@tb/strategies';
import { CandleValidationError } from './candle.errors';
import { CandleValidator, inferTimeframe } from './candle.validator';
import type { CandleGap } from './candle-gap.detector';

/** The CSV columns, in order (the format of shared/data and of `data/`: ms UTC open time, then OHLCV). */
export const CANDLE_CSV_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

export const DEFAULT_CANDLE_BATCH_SIZE = 5000;

/** A run of validated candles read from a CSV, in file order. */
export interface CandleBatch {
  readonly candles: Candle[];
  /** Line numbers (1-based, header = 1) of the first and last candle of the batch. */
  readonly firstLine: number;
  readonly lastLine: number;
  /** Gaps that end inside this batch (the one before its first candle included). */
  readonly gaps: readonly CandleGap[];
  readonly timeframe: Timeframe;
  /** Bytes of the file consumed so far (progress); 0 when reading from a stream that does not count. */
  readonly bytesRead: number;
}

export interface ReadCandleCsvOptions {
  /** Expected timeframe; alignment is checked against it. Inferred from the spacing of the first batch when absent. */
  readonly timeframe?: Timeframe;
  /** Candles per batch (default 5000). Inference looks at the first batch. */
  readonly batchSize?: number;
  /** Name used in error messages; defaults to the file path. */
  readonly source?: string;
}

/** Everything from one CSV, in memory (small inputs: tests, fixtures). */
export interface CandleSeries {
  readonly timeframe: Timeframe;
  readonly candles: Candle[];
  readonly gaps: CandleGap[];
  readonly missing: number;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a decimal number in s[start, end): optional spaces, sign, digits with at most one '.', optional
 * exponent. Returns NaN for anything else ('', '0x10', 'NaN', 'Infinity', '1.2.3'). Fast path: up to 15
 * digits and 22 decimals is `mantissa / 10^scale`, exact operands and one correctly rounded division, so the
 * result is bit-identical to Number(text); longer or exponent forms fall back to Number() after the syntax check.
 */
function parseDecimal(s: string, start: number, end: number): number {
  let i = start;
  while (i < end && s.charCodeAt(i) === 32) i++;
  let stop = end;
  while (stop > i && s.charCodeAt(stop - 1) === 32) stop--;
  if (i === stop) return Number.NaN;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < stop; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i < stop) {
    if (c !== 101 && c !== 69) return Number.NaN; // e / E
    i++;
    if (i < stop && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    if (i === stop) return Number.NaN;
    for (; i < stop; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
    }
    return Number(s.slice(start, end));
  }
  if (digits > 15 || scale > 22) return Number(s.slice(start, end));
  const v = scale === 0 ? mant : mant / POW10[scale];
  return neg ? -v : v;
}

/** Fills `out` with the 6 numbers of a row. Returns -1 when fine, 6 on a wrong column count, else the bad column. */
function parseRow(line: string, out: Float64Array): number {
  let start = 0;
  for (let col = 0; col < 6; col++) {
    let end = line.indexOf(',', start);
    if (col === 5) {
      if (end !== -1) return 6;
      end = line.length;
    } else if (end === -1) {
      return 6;
    }
    const v = parseDecimal(line, start, end);
    if (v !== v) return col;
    out[col] = v;
    start = end + 1;
  }
  return -1;
}

function rowError(line: string, lineNo: number, bad: number): CandleValidationError {
  const f = line.split(',');
  if (bad === 6) {
    return new CandleValidationError('CANDLE_COLUMN_COUNT', lineNo, `expected 6 columns (${CANDLE_CSV_COLUMNS.join(',')}), found ${f.length}`);
  }
  return new CandleValidationError('CANDLE_NOT_NUMERIC', lineNo, `${CANDLE_CSV_COLUMNS[bad]} "${f[bad]}" is not a number`);
}

type BatchCore = Omit<CandleBatch, 'bytesRead'>;

/**
 * Line-by-line CSV → validated candle batches. Shared by the streaming reader and `parseCandleCsv`, so
 * both apply exactly the same rules. Memory: one batch (plus, while inferring, the same batch once).
 */
class CandleCsvParser {
  private sawFirstLine = false;
  private validator: CandleValidator | undefined;
  /** Row/order checks while the timeframe is still unknown. */
  private probe: CandleValidator | undefined;
  private batch: Candle[] = [];
  private lines: number[] = [];
  private gapCursor = 0;
  private readonly batchSize: number;
  private readonly row = new Float64Array(6);

  constructor(private readonly options: ReadCandleCsvOptions) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_CANDLE_BATCH_SIZE);
    if (options.timeframe) this.validator = new CandleValidator(options.timeframe);
    else this.probe = new CandleValidator();
  }

  get rows(): number {
    return this.validator?.rows ?? 0;
  }

  get gaps(): CandleGap[] {
    return this.validator?.gaps ?? [];
  }

  get missing(): number {
    return this.validator?.missing ?? 0;
  }

  push(line: string, lineNo: number): BatchCore | undefined {
    if (line.length === 0) return undefined;
    if (!this.sawFirstLine) {
      this.sawFirstLine = true;
      const c0 = line.charCodeAt(0);
      const startsNumeric = (c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46 || c0 === 32;
      if (!startsNumeric) {
        checkHeader(line, lineNo);
        return undefined;
      }
    }
    const row = this.row;
    const bad = parseRow(line, row);
    if (bad !== -1) throw rowError(line, lineNo, bad);
    const time = row[0];
    const open = row[1];
    const high = row[2];
    const low = row[3];
    const close = row[4];
    const volume = row[5];
    if (this.validator) {
      this.validator.check(time, open, high, low, close, volume, lineNo);
      this.batch.push({ time, open, high, low, close, volume });
      this.lines.push(lineNo);
      return this.batch.length >= this.batchSize ? this.flush() : undefined;
    }
    this.probe!.check(time, open, high, low, close, volume, lineNo);
    this.batch.push({ time, open, high, low, close, volume });
    this.lines.push(lineNo);
    if (this.batch.length >= this.batchSize) {
      this.resolveTimeframe(lineNo);
      return this.flush();
    }
    return undefined;
  }

  end(lastLineNo: number): BatchCore | undefined {
    if (!this.validator) {
      if (this.batch.length === 0) throw new CandleValidationError('CANDLE_EMPTY_INPUT', Math.max(1, lastLineNo), 'no candles in the input');
      this.resolveTimeframe(lastLineNo);
    }
    if (this.validator!.rows === 0) throw new CandleValidationError('CANDLE_EMPTY_INPUT', Math.max(1, lastLineNo), 'no candles in the input');
    return this.batch.length > 0 ? this.flush() : undefined;
  }

  /** Infers the timeframe from the buffered rows, then replays them through the full validator. */
  private resolveTimeframe(lineNo: number): void {
    const rows = this.batch;
    const lines = this.lines;
    const times = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) times[i] = rows[i].time;
    const tf = inferTimeframe(times, (i) => lines[i]);
    if (!tf) {
      throw new CandleValidationError(
        'CANDLE_TIMEFRAME_UNKNOWN',
        lines[0] ?? lineNo,
        'cannot infer the timeframe from a single candle; pass the timeframe explicitly',
      );
    }
    const v = new CandleValidator(tf);
    for (let i = 0; i < rows.length; i++) {
      const c = rows[i];
      v.check(c.time, c.open, c.high, c.low, c.close, c.volume, lines[i]);
    }
    this.validator = v;
    this.probe = undefined;
  }

  private flush(): BatchCore {
    const v = this.validator!;
    const gaps = v.gaps.length > this.gapCursor ? v.gaps.slice(this.gapCursor) : [];
    this.gapCursor = v.gaps.length;
    const out: BatchCore = {
      candles: this.batch,
      firstLine: this.lines[0],
      lastLine: this.lines[this.lines.length - 1],
      gaps,
      timeframe: v.timeframe!,
    };
    this.batch = [];
    this.lines = [];
    return out;
  }
}

function checkHeader(line: string, lineNo: number): void {
  const cols = line.split(',').map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  const ok =
    cols.length === 6 &&
    (cols[0] === 'timestamp' || cols[0] === 'time') &&
    cols[1] === 'open' &&
    cols[2] === 'high' &&
    cols[3] === 'low' &&
    cols[4] === 'close' &&
    cols[5] === 'volume';
  if (!ok) {
    throw new CandleValidationError('CANDLE_BAD_HEADER', lineNo, `header "${line}" is not "${CANDLE_CSV_COLUMNS.join(',')}"`);
  }
}

function attribute(err: unknown, source: string | undefined): unknown {
  return source && err instanceof CandleValidationError && !err.source ? err.withSource(source) : err;
}

/**
 * Streams a candle CSV (`timestamp,open,high,low,close,volume`, ms UTC; header optional; LF or CRLF) as
 * validated batches. Reads with node:readline, so a file of any size holds one batch in memory at a time.
 * Throws `CandleValidationError` (with the line number) at the first bad row; rows of earlier batches have
 * already been yielded by then, so a caller that must be all-or-nothing wraps its writes in a transaction.
 */
export async function* readCandleCsv(input: string | Readable, options: ReadCandleCsvOptions = {}): AsyncGenerator<CandleBatch> {
  const source = options.source ?? (typeof input === 'string' ? input : undefined);
  const stream: Readable = typeof input === 'string' ? createReadStream(input, { highWaterMark: 1 << 20 }) : input;
  const fileStream = typeof input === 'string' ? (stream as ReadStream) : undefined;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  const parser = new CandleCsvParser(options);
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      const batch = parser.push(line, lineNo);
      if (batch) yield { ...batch, bytesRead: fileStream?.bytesRead ?? 0 };
    }
    const last = parser.end(lineNo);
    if (last) yield { ...last, bytesRead: fileStream?.bytesRead ?? 0 };
  } catch (err) {
    throw attribute(err, source);
  } finally {
    rl.close();
    if (fileStream) fileStream.destroy();
  }
}

/** Parses a whole CSV text held in memory with the same rules as `readCandleCsv`. For small inputs. */
export function parseCandleCsv(text: string, options: ReadCandleCsvOptions = {}): CandleSeries {
  const parser = new CandleCsvParser({ ...options, batchSize: options.batchSize ?? DEFAULT_CANDLE_BATCH_SIZE });
  const candles: Candle[] = [];
  const lines = text.split('\n');
  // A trailing newline leaves one empty element: not a line of its own.
  const n = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  let tf: Timeframe | undefined;
  try {
    for (let i = 0; i < n; i++) {
      const raw = lines[i];
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const b = parser.push(line, i + 1);
      if (b) {
        tf = b.timeframe;
        for (const c of b.candles) candles.push(c);
      }
    }
    const b = parser.end(n);
    if (b) {
      tf = b.timeframe;
      for (const c of b.candles) candles.push(c);
    }
  } catch (err) {
    throw attribute(err, options.source);
  }
  return { timeframe: tf!, candles, gaps: parser.gaps, missing: parser.missing };
}

export interface CandleColumnsOptions extends Omit<ReadCandleCsvOptions, 'batchSize'> {
  /**
   * Allocate the columns on SharedArrayBuffers, so that worker threads (backtest sweeps) read the same candles
   * without copying them.
   */
  readonly shared?: boolean;
}

/** Grows six Float64 columns geometrically; `finish` trims them to their length (on SharedArrayBuffers if asked). */
export class CandleColumnsBuilder {
  length = 0;
  private cap = 0;
  private cols: Float64Array[] = [];

  constructor(private readonly shared = false) {
    this.grow(1 << 14);
  }

  private alloc(n: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  }

  private grow(cap: number): void {
    const next = Array.from({ length: 6 }, () => new Float64Array(cap));
    for (let k = 0; k < 6; k++) if (this.cols[k]) next[k].set(this.cols[k].subarray(0, this.length));
    this.cols = next;
    this.cap = cap;
  }

  pushAll(candles: readonly Candle[]): void {
    if (this.length + candles.length > this.cap) {
      let cap = this.cap;
      while (cap < this.length + candles.length) cap *= 2;
      this.grow(cap);
    }
    const [t, o, h, l, c, v] = this.cols;
    let i = this.length;
    for (const k of candles) {
      t[i] = k.time;
      o[i] = k.open;
      h[i] = k.high;
      l[i] = k.low;
      c[i] = k.close;
      v[i] = k.volume;
      i++;
    }
    this.length = i;
  }

  finish(): CandleColumns {
    const n = this.length;
    const [time, open, high, low, close, volume] = this.cols.map((a) => {
      const out = this.alloc(n);
      out.set(a.subarray(0, n));
      return out;
    });
    return { length: n, time, open, high, low, close, volume };
  }
}

/** A CSV text held in memory, as columns (the backtester's input), with the rules of `readCandleCsv`. */
export function parseCandleColumns(text: string, options: CandleColumnsOptions = {}): CandleColumns {
  const b = new CandleColumnsBuilder(options.shared === true);
  b.pushAll(parseCandleCsv(text, options).candles);
  return b.finish();
}
