import { createReadStream } from 'node:fs';
import type { CandleColumns } from '@tb/strategies';

/**
 * Streaming reader for candle CSV files (`timestamp,open,high,low,close,volume`, ms UTC, ascending).
 * Validates the header, every number, ascending unique timestamps and high/low consistency, reporting the
 * line number of the first bad row. Columns grow geometrically; the result is trimmed to its length.
 * (Stop-gap for the CLI until libs/market's loader replaces it.)
 */
export class CandleCsvError extends Error {
  readonly code = 'CANDLE_CSV_INVALID';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'CandleCsvError';
  }
}

const HEADER = ['timestamp', 'open', 'high', 'low', 'close', 'volume'];

export interface CandleCsvOptions {
  /** Allocate the columns on SharedArrayBuffers (to hand them to worker threads without copying). */
  readonly shared?: boolean;
}

class ColumnBuilder {
  length = 0;
  private cap = 0;
  cols: Float64Array[] = [];
  constructor(private readonly shared: boolean) {
    this.grow(1 << 14);
  }
  private alloc(n: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  }
  private grow(cap: number): void {
    const next = Array.from({ length: 6 }, () => this.alloc(cap));
    for (let k = 0; k < 6; k++) if (this.cols[k]) next[k].set(this.cols[k].subarray(0, this.length));
    this.cols = next;
    this.cap = cap;
  }
  push(t: number, o: number, h: number, l: number, c: number, v: number): void {
    if (this.length === this.cap) this.grow(this.cap * 2);
    const i = this.length++;
    const [ct, co, ch, cl, cc, cv] = this.cols;
    ct[i] = t;
    co[i] = o;
    ch[i] = h;
    cl[i] = l;
    cc[i] = c;
    cv[i] = v;
  }
  finish(): CandleColumns {
    const n = this.length;
    const trim = (a: Float64Array) => {
      const out = this.alloc(n);
      out.set(a.subarray(0, n));
      return out;
    };
    const [time, open, high, low, close, volume] = this.cols.map(trim);
    return { length: n, time, open, high, low, close, volume };
  }
}

/** Parse one data line into the builder; returns an error message or null. */
function parseLine(line: string, b: ColumnBuilder, prevTime: number): string | null {
  const parts = line.split(',');
  if (parts.length !== 6) return `expected 6 fields, found ${parts.length}`;
  const t = Number(parts[0]);
  const o = Number(parts[1]);
  const h = Number(parts[2]);
  const l = Number(parts[3]);
  const c = Number(parts[4]);
  const v = Number(parts[5]);
  if (!Number.isInteger(t) || t < 0) return `bad timestamp "${parts[0]}" (expected epoch milliseconds)`;
  for (let k = 1; k < 6; k++) {
    const x = Number(parts[k]);
    if (parts[k].trim() === '' || !Number.isFinite(x) || x < 0) return `bad ${HEADER[k]} "${parts[k]}"`;
  }
  if (!(o > 0 && c > 0 && l > 0)) return 'prices must be > 0';
  if (h < Math.max(o, c, l) || l > Math.min(o, c)) return `inconsistent candle (high ${h}, low ${l}, open ${o}, close ${c})`;
  if (t <= prevTime) return `timestamp ${t} is not after the previous one (${prevTime})`;
  b.push(t, o, h, l, c, v);
  return null;
}

export function parseCandleCsv(text: string, file = '<csv>', opts: CandleCsvOptions = {}): CandleColumns {
  const b = new ColumnBuilder(!!opts.shared);
  const lines = text.split('\n');
  checkHeader(lines[0] ?? '', file);
  let prev = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (!line.trim()) continue;
    const err = parseLine(line, b, prev);
    if (err) throw new CandleCsvError(file, i + 1, err);
    prev = b.cols[0][b.length - 1];
  }
  if (b.length === 0) throw new CandleCsvError(file, 1, 'no candles');
  return b.finish();
}

function checkHeader(line: string, file: string): void {
  const cols = line.replace(/^\uFEFF/, '').trim().toLowerCase().split(',').map((s) => s.trim());
  if (cols.length !== 6 || cols.some((c, k) => c !== HEADER[k] && !(k === 0 && (c === 'time' || c === 'date')))) {
    throw new CandleCsvError(file, 1, `bad header "${line.trim()}" (expected ${HEADER.join(',')})`);
  }
}

export async function readCandleCsv(file: string, opts: CandleCsvOptions = {}): Promise<CandleColumns> {
  const b = new ColumnBuilder(!!opts.shared);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let lineNo = 0;
  let prev = -Infinity;
  const handle = (raw: string) => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1) return checkHeader(line, file);
    if (!line.trim()) return;
    const err = parseLine(line, b, prev);
    if (err) throw new CandleCsvError(file, lineNo, err);
    prev = b.cols[0][b.length - 1];
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      handle(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) handle(rest);
  if (lineNo === 0) throw new CandleCsvError(file, 1, 'empty file');
  if (b.length === 0) throw new CandleCsvError(file, lineNo, 'no candles');
  return b.finish();
}
