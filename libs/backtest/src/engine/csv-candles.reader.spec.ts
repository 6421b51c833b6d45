import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCandleCsv, readCandleCsv } from './csv-candles.reader';

const GOOD = 'timestamp,open,high,low,close,volume\n1000,10,12,9,11,5\r\n2000,11,11.5,10,10.5,0\n';

describe('candle CSV reader', () => {
  it('parses columns (streaming and in-memory agree)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-csv-'));
    const f = join(dir, 'c.csv');
    writeFileSync(f, GOOD);
    const a = await readCandleCsv(f, { shared: true });
    const b = parseCandleCsv(GOOD);
    expect(a.length).toBe(2);
    expect(Array.from(a.close)).toEqual([11, 10.5]);
    expect(a.close.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(b.time)).toEqual([1000, 2000]);
  });

  it.each([
    ['ts,o,h,l,c,v\n1,1,1,1,1,1', /:1: bad header/],
    ['timestamp,open,high,low,close,volume\n1000,10,12,9,11,5\n2000,10,x,9,11,5', /:3: bad high "x"/],
    ['timestamp,open,high,low,close,volume\n1000,10,12,9,11,5\n1000,10,12,9,11,5', /:3: timestamp 1000 is not after/],
    ['timestamp,open,high,low,close,volume\n1000,10,9,8,11,5', /:2: inconsistent candle/],
    ['timestamp,open,high,low,close,volume\n1000,10,12,9,11', /:2: expected 6 fields/],
  ])('rejects bad input with the line number (%#)', (text, msg) => {
    expect(() => parseCandleCsv(text, 'f.csv')).toThrow(msg);
  });
});
