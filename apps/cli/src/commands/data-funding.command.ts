import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fundingCsv, readFundingCsv } from '@tb/backtest';
import type { FundingRate } from '@tb/matching';

/**
 * `tb data funding` — funding-rate history of a perpetual as the CSV `tb backtest` reads (`timestamp,rate`,
 * docs/adr/0011-cross-margin-and-funding.md): fetched through ccxt `fetchFundingRateHistory` (public endpoint, no
 * key), or validated and normalised from a CSV (`--file`). Name the output `<exchange>_<BASE-QUOTE>_funding*.csv`
 * next to the candle file and `tb backtest` finds it.
 */

/** One page of funding history: ccxt's `fetchFundingRateHistory(symbol, since, limit)` shape, reduced. */
export type FundingPageFetcher = (symbol: string, since: number, limit: number) => Promise<ReadonlyArray<{ timestamp?: number; fundingRate?: number }>>;

/**
 * Pages through the history from `since` (inclusive) to `until` (exclusive): each page starts 1 ms after the last
 * row of the previous one; stops at an empty page or one that does not advance. Times floored to the second,
 * duplicates dropped, ascending.
 */
export async function fetchFundingHistory(fetchPage: FundingPageFetcher, symbol: string, since: number, until: number, limit = 1000): Promise<FundingRate[]> {
  const out: FundingRate[] = [];
  let from = since;
  for (let guard = 0; guard < 100_000 && from < until; guard++) {
    const page = await fetchPage(symbol, from, limit);
    let last = -Infinity;
    for (const r of page) {
      if (typeof r.timestamp !== 'number' || typeof r.fundingRate !== 'number' || !Number.isFinite(r.fundingRate)) continue;
      last = Math.max(last, r.timestamp);
      if (r.timestamp < since || r.timestamp >= until) continue;
      const time = Math.floor(r.timestamp / 1000) * 1000;
      if (out.length && time <= out[out.length - 1].time) continue;
      out.push({ time, rate: r.fundingRate });
    }
    if (!(last >= from)) break;
    from = last + 1;
  }
  return out;
}

interface FundingOptions {
  exchange?: string;
  symbol?: string;
  from?: string;
  to?: string;
  file?: string;
  out: string;
}

function parseDay(v: string, name: string): number {
  const t = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) throw new Error(`--${name}: bad date "${v}" (YYYY-MM-DD, ISO-8601 or epoch ms)`);
  return t;
}

async function ccxtFetcher(exchangeId: string): Promise<FundingPageFetcher> {
  const ccxt = (await import('ccxt')) as unknown as Record<string, new (o: object) => unknown>;
  const Ctor = ccxt[exchangeId];
  if (typeof Ctor !== 'function') throw new Error(`--exchange: unknown ccxt exchange "${exchangeId}"`);
  const ex = new Ctor({ enableRateLimit: true }) as {
    has: Record<string, unknown>;
    fetchFundingRateHistory(symbol: string, since?: number, limit?: number): Promise<Array<{ timestamp?: number; fundingRate?: number }>>;
  };
  if (!ex.has.fetchFundingRateHistory) throw new Error(`${exchangeId} has no funding-rate history in ccxt`);
  return (symbol, since, limit) => ex.fetchFundingRateHistory(symbol, since, limit);
}

export function registerFundingCommand(data: Command, io: { stdout: NodeJS.WritableStream } = { stdout: process.stdout }): void {
  data
    .command('funding')
    .description('funding-rate history of a perpetual as timestamp,rate CSV (for tb backtest): from ccxt, or normalised from --file')
    .option('--exchange <id>', 'ccxt exchange id of the perpetual, e.g. binanceusdm or bybit')
    .option('--symbol <symbol>', 'ccxt perpetual symbol, e.g. BTC/USDT:USDT')
    .option('--from <date>', 'first funding time (YYYY-MM-DD UTC, ISO time or epoch ms)')
    .option('--to <date>', 'end, exclusive (default: now)')
    .option('--file <csv>', 'read timestamp,rate from this CSV instead of the exchange (validated, floored to the second)')
    .requiredOption('--out <csv>', 'output file, e.g. data/binanceusdm_BTC-USDT_funding_2024.csv')
    .action(async (o: FundingOptions) => {
      let rows: FundingRate[];
      if (o.file) rows = readFundingCsv(o.file);
      else {
        if (!o.exchange || !o.symbol || !o.from) throw new Error('--exchange, --symbol and --from are required without --file');
        const since = parseDay(o.from, 'from');
        const until = o.to ? parseDay(o.to, 'to') : Date.now();
        rows = await fetchFundingHistory(await ccxtFetcher(o.exchange), o.symbol, since, until);
      }
      await writeFile(o.out, fundingCsv(rows));
      const span = rows.length ? `${new Date(rows[0].time).toISOString()} .. ${new Date(rows[rows.length - 1].time).toISOString()}` : 'no rows';
      io.stdout.write(`wrote ${o.out}: ${rows.length} funding rates (${span})\n`);
    });
}
