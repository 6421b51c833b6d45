import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FundingRate } from '@tb/matching';

/**
 * Funding-rate history as CSV: header `timestamp,rate` (epoch ms UTC, rate per funding interval as a decimal,
 * e.g. 0.0001 = 0.01%), ascending — the format of data/*_funding*.csv and of `tb data import --funding`.
 * Timestamps are floored to the second: exchanges stamp settlements a few ms after the hour (Binance up to 47 ms),
 * and a funding time must compare equal to the candle open it belongs to (docs/adr/0011-cross-margin-and-funding.md).
 */
export class FundingCsvError extends Error {
  readonly code = 'FUNDING_CSV_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'FundingCsvError';
  }
}

export function parseFundingCsv(text: string, source = 'funding csv'): FundingRate[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase().split(',');
  const ti = header.indexOf('timestamp');
  const ri = header.indexOf('rate');
  if (ti < 0 || ri < 0) throw new FundingCsvError(`${source}: header must contain timestamp,rate (got "${lines[0] ?? ''}")`);
  const out: FundingRate[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const cells = line.split(',');
    const time = Math.floor(Number(cells[ti]) / 1000) * 1000;
    const rate = Number(cells[ri]);
    if (!Number.isFinite(time) || !Number.isFinite(rate) || cells[ri].trim() === '') {
      throw new FundingCsvError(`${source}: line ${i + 1}: expected <epoch ms>,<rate> (got "${line}")`);
    }
    if (out.length && time <= out[out.length - 1].time) {
      throw new FundingCsvError(`${source}: line ${i + 1}: timestamps must be strictly ascending`);
    }
    out.push({ time, rate });
  }
  return out;
}

export function readFundingCsv(path: string): FundingRate[] {
  return parseFundingCsv(readFileSync(path, 'utf8'), path);
}

/**
 * The funding file that goes with a candle file, by name: `<exchange>_<BASE-QUOTE>_<tf>[_range].csv` →
 * `<exchange>_<BASE-QUOTE>_funding[_range].csv` in the same folder (the first such file, by name). Null when none.
 */
export function findFundingCsv(candlePath: string): string | null {
  const m = /^([a-z0-9]+)_([A-Z0-9]+-[A-Z0-9]+)_/.exec(basename(candlePath));
  if (!m) return null;
  const dir = dirname(candlePath);
  if (!existsSync(dir)) return null;
  const prefix = `${m[1]}_${m[2]}_funding`;
  const hit = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.csv'))
    .sort()[0];
  return hit ? join(dir, hit) : null;
}

/** Funding rows as CSV text (the format parseFundingCsv reads). */
export function fundingCsv(rows: readonly FundingRate[]): string {
  return `timestamp,rate\n${rows.map((r) => `${r.time},${r.rate}`).join('\n')}\n`;
}
