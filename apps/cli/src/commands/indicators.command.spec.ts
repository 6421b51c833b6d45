import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { ADX, ATR } from 'technicalindicators';
import { trendStateSeries } from '@tb/strategies';
import { inferTimeframe } from '@tb/market';
import { INDICATOR_COLUMNS, registerIndicatorsCommand, runIndicators } from './indicators.command';
import { readCandlesCsv, ROOT } from '../../../../test/support/candles';

const BTC_1H = 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv';
const ETH_5M = 'test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tb-indicators-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readOut(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

function expectClose(actual: string, expected: number, relTol = 1e-9): void {
  expect(actual).not.toBe('');
  const a = Number(actual);
  expect(Math.abs(a - expected)).toBeLessThanOrEqual(relTol * Math.max(1, Math.abs(expected)));
}

describe('tb indicators on BTC/USDT 1h 2024', () => {
  const candles = readCandlesCsv(BTC_1H);
  const close = candles.map((c) => c.close);
  let out: { header: string[]; rows: string[][] };
  const col = (name: string): number => out.header.indexOf(name);

  beforeAll(async () => {
    const file = join(dir, 'btc.csv');
    const r = await runIndicators({ data: resolve(ROOT, BTC_1H), out: file });
    expect(r).toEqual({ rows: candles.length, timeframe: '1h' });
    out = readOut(file);
  });

  it('writes the header and one row per candle', () => {
    expect(out.header).toEqual([...INDICATOR_COLUMNS]);
    expect(out.rows).toHaveLength(candles.length);
    expect(out.rows.map((r) => Number(r[0]))).toEqual(candles.map((c) => c.time));
  });

  it('sma_20 is the plain mean of the last 20 closes', () => {
    for (const i of [19, 20, 1234, 8783]) {
      const want = close.slice(i - 19, i + 1).reduce((s, x) => s + x, 0) / 20;
      expectClose(out.rows[i][col('sma_20')], want);
    }
  });

  it('Bollinger(20, 2) uses the sample standard deviation (original ddof=1), empty before 20 closes', () => {
    expect(out.rows[18][col('bb_upper_20_2')]).toBe('');
    for (const i of [19, 4000, 8783]) {
      const w = close.slice(i - 19, i + 1);
      const m = w.reduce((s, x) => s + x, 0) / 20;
      const sd = Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / 19);
      expectClose(out.rows[i][col('bb_middle_20_2')], m);
      expectClose(out.rows[i][col('bb_upper_20_2')], m + 2 * sd);
      expectClose(out.rows[i][col('bb_lower_20_2')], m - 2 * sd);
    }
  });

  it('ema_20 follows alpha = 2/21 seeded with the first close', () => {
    let e = close[0];
    const ema = [e];
    for (let i = 1; i < close.length; i++) {
      e = close[i] * (2 / 21) + e * (19 / 21);
      ema.push(e);
    }
    for (const i of [0, 1, 500, 8783]) expectClose(out.rows[i][col('ema_20')], ema[i]);
  });

  it('rsi_14 is Wilder RSI (empty for the first 14 rows; equal to the textbook value once the seed has decayed)', () => {
    for (let i = 0; i < 14; i++) expect(out.rows[i][col('rsi_14')]).toBe('');
    // textbook Wilder: seed = mean of the first 14 changes; the seeds differ, the difference decays as (13/14)^n
    let g = 0;
    let l = 0;
    for (let i = 1; i <= 14; i++) {
      const d = close[i] - close[i - 1];
      g += Math.max(d, 0) / 14;
      l += Math.max(-d, 0) / 14;
    }
    const rsi: number[] = new Array<number>(15).fill(NaN);
    for (let i = 15; i < close.length; i++) {
      const d = close[i] - close[i - 1];
      g = (g * 13 + Math.max(d, 0)) / 14;
      l = (l * 13 + Math.max(-d, 0)) / 14;
      rsi.push(100 - 100 / (1 + g / l));
    }
    for (const i of [1000, 5000, 8783]) expectClose(out.rows[i][col('rsi_14')], rsi[i], 1e-9);
  });

  it('atr_14 and adx_14 match technicalindicators once the differing seeds have decayed', () => {
    const high = candles.map((c) => c.high);
    const low = candles.map((c) => c.low);
    const atr = ATR.calculate({ high, low, close, period: 14 });
    const adx = ADX.calculate({ high, low, close, period: 14 });
    for (const back of [1, 100, 3000]) {
      const i = candles.length - back;
      expectClose(out.rows[i][col('atr_14')], atr[atr.length - back], 1e-8);
      expectClose(out.rows[i][col('adx_14')], adx[adx.length - back].adx, 1e-6);
    }
    expect(out.rows[26][col('adx_14')]).toBe('');
    expect(out.rows[27][col('adx_14')]).not.toBe('');
  });

  it('trend_state is the strategies lib value for these candles (empty during warm-up)', () => {
    const ts = trendStateSeries(candles, '1h');
    const cells = out.rows.map((r) => r[col('trend_state')]);
    expect(cells).toEqual(Array.from(ts, (v) => (Number.isNaN(v) ? '' : String(v))));
    expect(cells[112]).toBe('');
    expect(new Set(cells.slice(113))).toEqual(new Set(['-2', '0', '2']));
  });
});

describe('tb indicators: command wiring, timeframe, validation', () => {
  it('runs through commander and infers 5m from the spacing', async () => {
    const program = new Command('tb').exitOverride();
    registerIndicatorsCommand(program);
    const file = join(dir, 'eth.csv');
    await program.parseAsync(['node', 'tb', 'indicators', '--data', resolve(ROOT, ETH_5M), '--out', file]);
    const { rows } = readOut(file);
    expect(rows).toHaveLength(readCandlesCsv(ETH_5M).length);
    const ts = trendStateSeries(readCandlesCsv(ETH_5M), '5m');
    expect(rows[5000][9]).toBe(String(ts[5000]));
  });

  it('inferTimeframe (the market lib\'s) is not fooled by missing candles', () => {
    const m = 60_000;
    expect(inferTimeframe([0, 15 * m, 30 * m, 90 * m])).toBe('15m');
    expect(inferTimeframe([0])).toBeUndefined(); // the reader then asks for the timeframe
    expect(() => inferTimeframe([0, 7 * m])).toThrow(/7 minutes|420000 ms/);
  });

  // one reader (@tb/market): its validation messages; times are real epoch ms (it rejects second timestamps)
  const T0 = Date.UTC(2024, 0, 1);
  const HDR = 'timestamp,open,high,low,close,volume';
  it.each([
    ['bad header', 'ts,open,high,low,close,volume\n', /:1: header "ts,open,high,low,close,volume" is not/],
    ['non-numeric field', `${HDR}\n${T0},1,2,0.5,1,1\n${T0 + 60000},1,x,0.5,1,1\n`, /:3: high "x" is not a number/],
    ['missing field', `${HDR}\n${T0},1,2,0.5,1\n`, /:2: expected 6 columns/],
    ['out of order', `${HDR}\n${T0 + 60000},1,2,0.5,1,1\n${T0},1,2,0.5,1,1\n`, /:3: timestamp \d+ \(\S+\) is before the previous/],
    ['misaligned', `${HDR}\n${T0},1,2,0.5,1,1\n${T0 + 90000},1,2,0.5,1,1\n`, /:3: timestamp \d+ \(\S+\) is not aligned to the 1m timeframe/],
  ])('rejects %s with the line number, and leaves no output file', async (_n, text, re) => {
    const data = join(dir, 'bad.csv');
    const outFile = join(dir, 'bad-out.csv');
    writeFileSync(data, text);
    await expect(runIndicators({ data, out: outFile, timeframe: '1m' })).rejects.toThrow(re);
    expect(existsSync(outFile)).toBe(false);
  });

  it('rejects an unknown --timeframe', async () => {
    await expect(runIndicators({ data: resolve(ROOT, BTC_1H), out: join(dir, 'x.csv'), timeframe: '7m' })).rejects.toThrow(
      /unknown timeframe/,
    );
  });
});
