import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCandleColumns } from './candle-csv.reader';
import { loadCandleColumnsFile } from './candle-file.loader';

// Moved from libs/backtest (its stop-gap reader is gone): columns for the backtester, same rules as readCandleCsv.
const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const HEADER = 'timestamp,open,high,low,close,volume';
const GOOD = `${HEADER}\n${T0},10,12,9,11,5\r\n${T0 + H},11,11.5,10,10.5,0\n`;

describe('candle CSV reader: columns', () => {
  it('parses columns (streaming and in-memory agree)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-csv-'));
    const f = join(dir, 'c.csv');
    writeFileSync(f, GOOD);
    const a = (await loadCandleColumnsFile(f, { shared: true })).columns;
    const b = parseCandleColumns(GOOD);
    expect(a.length).toBe(2);
    expect(Array.from(a.close)).toEqual([11, 10.5]);
    expect(a.close.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(b.time)).toEqual([T0, T0 + H]);
  });

  it.each([
    ['ts,o,h,l,c,v\n1,1,1,1,1,1', /:1: header "ts,o,h,l,c,v" is not/],
    [`${HEADER}\n${T0},10,12,9,11,5\n${T0 + H},10,x,9,11,5`, /:3: high "x" is not a number/],
    [`${HEADER}\n${T0},10,12,9,11,5\n${T0},10,12,9,11,5`, /:3: duplicate timestamp/],
    [`${HEADER}\n${T0},10,9,8,11,5`, /:2: high 9 < max\(open 10, close 11\)/],
    [`${HEADER}\n${T0},10,12,9,11`, /:2: expected 6 columns/],
  ])('rejects bad input with the line number (%#)', (text, msg) => {
    expect(() => parseCandleColumns(text, { source: 'f.csv', timeframe: '1h' })).toThrow(msg);
  });
});
