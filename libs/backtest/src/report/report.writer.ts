import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CandleColumns } from '@tb/strategies';
import type { BacktestResult } from '../engine/backtest.types';
import { renderHtmlReport } from './report.html';
import { toResultJson, tradesCsv } from './report.output';

let chartsJs: string | null = null;

/** The lightweight-charts standalone build, read from node_modules at run time (inlined in report.html). */
export async function loadChartsLibrary(): Promise<string> {
  if (chartsJs === null) {
    // the package's "exports" map (ESM-only, no dist/ subpaths) defeats require.resolve of the file itself,
    // so walk node's resolution paths for the package folder instead
    const rel = join('lightweight-charts', 'dist', 'lightweight-charts.standalone.production.js');
    const file = (require.resolve.paths('lightweight-charts') ?? []).map((p) => join(p, rel)).find((f) => existsSync(f));
    if (!file) throw new Error(`cannot find ${rel} (is lightweight-charts installed?)`);
    chartsJs = (await readFile(file, 'utf8')).replace(/<\/script/gi, '<\\/script');
  }
  return chartsJs;
}

export interface WrittenReport {
  readonly resultJson: string;
  readonly tradesCsv: string;
  readonly reportHtml: string;
}

/** Writes DIR/result.json, DIR/trades.csv and DIR/report.html (one self-contained page). */
export async function writeBacktestReport(r: BacktestResult, candles: CandleColumns, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const out: WrittenReport = { resultJson: join(dir, 'result.json'), tradesCsv: join(dir, 'trades.csv'), reportHtml: join(dir, 'report.html') };
  await writeFile(out.resultJson, JSON.stringify(toResultJson(r), null, 1));
  await writeFile(out.tradesCsv, tradesCsv(r.trades));
  await writeFile(out.reportHtml, renderHtmlReport(r, candles, await loadChartsLibrary()));
  return out;
}
