import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle } from '@tb/strategies';
import { CandleValidationError, type CandleValidationCode } from './candle.errors';
import { parseCandleCsv, readCandleCsv, type CandleBatch, type ReadCandleCsvOptions } from './candle-csv.reader';

const H = 3_600_000;
const T0 = 1704067200000; // 2024-01-01T00:00Z
const HEADER = 'timestamp,open,high,low,close,volume';
// Two good 1h rows (lines 2 and 3); each case appends one bad row, which is line 4.
const GOOD = [HEADER, `${T0},100,110,90,105,1.5`, `${T0 + H},105,115,100,110,2`];

async function readAll(text: string, options: ReadCandleCsvOptions = {}): Promise<CandleBatch[]> {
  const out: CandleBatch[] = [];
  for await (const b of readCandleCsv(Readable.from([text]), options)) out.push(b);
  return out;
}

async function streamError(text: string, options: ReadCandleCsvOptions = {}): Promise<CandleValidationError> {
  try {
    await readAll(text, options);
  } catch (e) {
    if (e instanceof CandleValidationError) return e;
    throw e;
  }
  throw new Error('expected a CandleValidationError');
}

function syncError(text: string, options: ReadCandleCsvOptions = {}): CandleValidationError {
  try {
    parseCandleCsv(text, options);
  } catch (e) {
    if (e instanceof CandleValidationError) return e;
    throw e;
  }
  throw new Error('expected a CandleValidationError');
}

describe('candle CSV validation: each rejection names its line', () => {
  const T2 = T0 + 2 * H;
  const cases: { name: string; row: string; code: CandleValidationCode; reason: RegExp }[] = [
    { name: 'non-numeric price', row: `${T2},abc,115,100,110,2`, code: 'CANDLE_NOT_NUMERIC', reason: /open "abc"/ },
    { name: 'empty field', row: `${T2},105,,100,110,2`, code: 'CANDLE_NOT_NUMERIC', reason: /high ""/ },
    { name: 'hex number', row: `${T2},0x10,115,100,110,2`, code: 'CANDLE_NOT_NUMERIC', reason: /open "0x10"/ },
    { name: 'Infinity', row: `${T2},105,Infinity,100,110,2`, code: 'CANDLE_NOT_NUMERIC', reason: /high/ },
    { name: 'non-numeric timestamp', row: `2024-01-01T02:00Z,105,115,100,110,2`, code: 'CANDLE_NOT_NUMERIC', reason: /timestamp/ },
    { name: 'too few columns', row: `${T2},105,115,100`, code: 'CANDLE_COLUMN_COUNT', reason: /found 4/ },
    { name: 'too many columns', row: `${T2},105,115,100,110,2,7`, code: 'CANDLE_COLUMN_COUNT', reason: /found 7/ },
    { name: 'high < low', row: `${T2},100,95,105,100,2`, code: 'CANDLE_HIGH_BELOW_LOW', reason: /high 95 < low 105/ },
    { name: 'high < open', row: `${T2},112,111,100,110,2`, code: 'CANDLE_HIGH_BELOW_BODY', reason: /high 111 < max\(open 112, close 110\)/ },
    { name: 'high < close', row: `${T2},105,109,100,110,2`, code: 'CANDLE_HIGH_BELOW_BODY', reason: /high 109/ },
    { name: 'low > open', row: `${T2},101,115,102,110,2`, code: 'CANDLE_LOW_ABOVE_BODY', reason: /low 102 > min\(open 101, close 110\)/ },
    { name: 'low > close', row: `${T2},110,115,106,105,2`, code: 'CANDLE_LOW_ABOVE_BODY', reason: /low 106/ },
    { name: 'zero price', row: `${T2},0,115,0,110,2`, code: 'CANDLE_NON_POSITIVE_PRICE', reason: /open 0/ },
    { name: 'negative price', row: `${T2},-5,-1,-9,-2,2`, code: 'CANDLE_NON_POSITIVE_PRICE', reason: /> 0/ },
    { name: 'negative volume', row: `${T2},105,115,100,110,-0.5`, code: 'CANDLE_NEGATIVE_VOLUME', reason: /volume -0.5/ },
    { name: 'unsorted', row: `${T0 - H},105,115,100,110,2`, code: 'CANDLE_UNSORTED', reason: /previous row's .* line 3/ },
    { name: 'duplicate', row: `${T0 + H},105,115,100,110,2`, code: 'CANDLE_DUPLICATE', reason: /first seen on line 3/ },
    { name: 'misaligned to 1h', row: `${T2 + 60_000},105,115,100,110,2`, code: 'CANDLE_MISALIGNED', reason: /not aligned to the 1h/ },
    { name: 'seconds, not ms', row: `${T2 / 1000},105,115,100,110,2`, code: 'CANDLE_BAD_TIMESTAMP', reason: /looks like seconds/ },
    { name: 'fractional ms', row: `${T2}.5,105,115,100,110,2`, code: 'CANDLE_BAD_TIMESTAMP', reason: /integer/ },
  ];

  for (const c of cases) {
    const text = [...GOOD, c.row, `${T0 + 3 * H},105,115,100,110,2`].join('\n') + '\n';
    it(`${c.name} → ${c.code} at line 4 (streaming and in-memory, timeframe given)`, async () => {
      const e = await streamError(text, { timeframe: '1h' });
      expect([e.code, e.line]).toEqual([c.code, 4]);
      expect(e.reason).toMatch(c.reason);
      expect(e.message).toContain('line 4');
      const s = syncError(text, { timeframe: '1h' });
      expect([s.code, s.line, s.reason]).toEqual([e.code, e.line, e.reason]);
    });
  }

  it('reports the same line when the timeframe is inferred', async () => {
    const text = [...GOOD, `${T0 + H},105,115,100,110,2`].join('\n');
    const e = await streamError(text);
    expect([e.code, e.line]).toEqual(['CANDLE_DUPLICATE', 4]);
    const m = await streamError([...GOOD, `${T0 + 2 * H + 60_000},105,115,100,110,2`, `${T0 + 3 * H},105,115,100,110,2`, `${T0 + 4 * H},105,115,100,110,2`].join('\n'));
    expect([m.code, m.line]).toEqual(['CANDLE_MISALIGNED', 4]);
  });

  it('counts blank lines and CRLF line ends when numbering', async () => {
    const text = `${HEADER}\r\n${T0},100,110,90,105,1\r\n\r\n${T0 + H},105,115,100,110,2\r\n${T0 + 2 * H},100,95,105,100,2\r\n`;
    const e = await streamError(text, { timeframe: '1h' });
    expect([e.code, e.line]).toEqual(['CANDLE_HIGH_BELOW_LOW', 5]);
    expect(syncError(text, { timeframe: '1h' }).line).toBe(5);
  });

  it('rejects a wrong header at line 1', async () => {
    const e = await streamError(`time,o,h,l,c,v\n${T0},100,110,90,105,1\n`);
    expect([e.code, e.line]).toEqual(['CANDLE_BAD_HEADER', 1]);
  });

  it('checks alignment only against the given timeframe (a 4h-aligned file is fine as 1h, a 1h file is not 4h)', async () => {
    const text = [HEADER, `${T0},100,110,90,105,1`, `${T0 + H},105,115,100,110,2`].join('\n');
    const e = await streamError(text, { timeframe: '4h' });
    expect([e.code, e.line]).toEqual(['CANDLE_MISALIGNED', 3]);
  });

  it('rejects empty input and an input whose spacing is no timeframe', async () => {
    expect((await streamError(`${HEADER}\n`)).code).toBe('CANDLE_EMPTY_INPUT');
    expect((await streamError('')).code).toBe('CANDLE_EMPTY_INPUT');
    expect((await streamError(`${HEADER}\n`, { timeframe: '1h' })).code).toBe('CANDLE_EMPTY_INPUT');
    const single = await streamError(`${HEADER}\n${T0},100,110,90,105,1\n`);
    expect([single.code, single.line]).toEqual(['CANDLE_TIMEFRAME_UNKNOWN', 2]);
    // 7-minute spacing: no supported timeframe; the first pair with that spacing ends on line 3.
    const seven = [HEADER, ...[0, 1, 2, 3].map((i) => `${T0 + i * 420_000},100,110,90,105,1`)].join('\n');
    const e = await streamError(seven);
    expect([e.code, e.line]).toEqual(['CANDLE_TIMEFRAME_UNKNOWN', 3]);
  });

  it('names the file in the error when reading a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-market-'));
    try {
      const file = join(dir, 'bad.csv');
      writeFileSync(file, [...GOOD, `${T0 + 2 * H},105,115,100,110,-1`].join('\n'));
      let err: unknown;
      try {
        for await (const b of readCandleCsv(file)) void b;
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CandleValidationError);
      expect((err as CandleValidationError).message).toBe(`${file}:4: volume -1 is negative [CANDLE_NEGATIVE_VOLUME]`);
      expect((err as CandleValidationError).source).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('candle CSV reading', () => {
  const rows = (n: number, step: number, skip: readonly number[] = []): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) if (!skip.includes(i)) out.push(`${T0 + i * step},${100 + i},${102 + i},${99 + i},${101 + i},${i}`);
    return out;
  };

  it('parses header-less files, zero volume, exponent notation and padded numbers', () => {
    const s = parseCandleCsv(`${T0},100,110,90,105,0\n${T0 + H}, 1.05e2 ,115,100,110,2.5E-3\n`);
    expect(s.timeframe).toBe('1h');
    expect(s.candles).toEqual<Candle[]>([
      { time: T0, open: 100, high: 110, low: 90, close: 105, volume: 0 },
      { time: T0 + H, open: 105, high: 115, low: 100, close: 110, volume: 0.0025 },
    ]);
    expect(s.gaps).toEqual([]);
  });

  it('yields batches of the requested size with their line ranges and the gaps that end in them', async () => {
    // 5m candles 0..9 without #3, #4 (one gap of 2 after #2) and #8 (one gap of 1 after #7).
    const text = [HEADER, ...rows(10, 300_000, [3, 4, 8])].join('\n') + '\n';
    const batches = await readAll(text, { batchSize: 3 });
    expect(batches.map((b) => [b.candles.length, b.firstLine, b.lastLine, b.timeframe])).toEqual([
      [3, 2, 4, '5m'],
      [3, 5, 7, '5m'],
      [1, 8, 8, '5m'],
    ]);
    expect(batches.map((b) => b.candles.map((c) => (c.time - T0) / 300_000))).toEqual([[0, 1, 2], [5, 6, 7], [9]]);
    expect(batches[0].gaps).toEqual([]);
    expect(batches[1].gaps).toEqual([{ after: T0 + 2 * 300_000, before: T0 + 5 * 300_000, missing: 2 }]);
    expect(batches[2].gaps).toEqual([{ after: T0 + 7 * 300_000, before: T0 + 9 * 300_000, missing: 1 }]);
    const s = parseCandleCsv(text);
    expect(s.missing).toBe(3);
    expect(s.gaps).toHaveLength(2);
  });

  it('infers the most common spacing, not the smallest gap-free run', () => {
    // 15m series with several gaps: the mode of the spacing is still 15m.
    const s = parseCandleCsv(rows(40, 900_000, [3, 7, 8, 20, 21, 22, 30]).join('\n'));
    expect(s.timeframe).toBe('15m');
    expect(s.missing).toBe(7);
  });

  it('reports the bytes consumed so far for progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-market-'));
    try {
      const file = join(dir, 'ok.csv');
      writeFileSync(file, [HEADER, ...rows(50, H)].join('\n') + '\n');
      const batches: CandleBatch[] = [];
      for await (const b of readCandleCsv(file, { batchSize: 20 })) batches.push(b);
      expect(batches.map((b) => b.candles.length)).toEqual([20, 20, 10]);
      expect(batches[batches.length - 1].bytesRead).toBe(statSync(file).size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses decimal text to exactly the double Number() gives (fast path and fallbacks)', () => {
    // Deterministic pseudo-random decimal strings of 1–19 digits, 0–12 decimals, plus edge forms.
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const texts: string[] = ['0', '0.0', '5.', '.5', '0.00000001', '2697616.0709080002', '12345678901234567890', '1e-7', '1.5E+3', '+7.25'];
    for (let i = 0; i < 3000; i++) {
      const len = 1 + (next() % 19);
      let d = '';
      for (let k = 0; k < len; k++) d += String(next() % 10);
      const dec = next() % 13;
      texts.push(dec > 0 && dec < d.length ? `${d.slice(0, d.length - dec)}.${d.slice(d.length - dec)}` : d);
    }
    const csv = texts.map((v, i) => `${T0 + i * 60_000},1,1,1,1,${v}`).join('\n');
    const s = parseCandleCsv(csv, { timeframe: '1m', batchSize: 1000 });
    expect(s.candles.length).toBe(texts.length);
    const mismatches = s.candles.filter((c, i) => !Object.is(c.volume, Number(texts[i])));
    expect(mismatches).toEqual([]);
  });
});
