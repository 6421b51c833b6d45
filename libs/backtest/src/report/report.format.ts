import type { BacktestResult } from '../engine/backtest.types';
import { textTable } from './text-table';

export const fmtNum = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
export const fmtPct = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(d)}%`);
export const fmtTime = (t: number | null | undefined): string => (t === null || t === undefined ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' '));

export function fmtDuration(ms: number): string {
  if (!(ms > 0)) return '0:00';
  const m = Math.round(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = String(m % 60).padStart(2, '0');
  return d ? `${d} days, ${h}:${mm}` : `${h}:${mm}`;
}

function quote(symbol: string): string {
  const q = symbol.split('/')[1] ?? 'USDT';
  return q.split(':')[0];
}

/** Funding: the amount and how many funding times it covers; says so when a perpetual run had no funding data. */
function fundingRow(r: BacktestResult, q: string): string {
  if (r.marketType !== 'perp') return '-';
  if (r.fundingEvents === null || r.fundingEvents === undefined) return 'no funding data (not charged)';
  return `${fmtNum(r.metrics.fundingPaid, 3)} ${q} (${r.fundingEvents} funding times)`;
}

/** The metrics as [label, value] rows, in report order (shared by the terminal and HTML reports). */
export function summaryRows(r: BacktestResult): Array<[string, string]> {
  const m = r.metrics;
  const q = quote(r.symbol);
  return [
    ['Backtesting from', fmtTime(m.startTime)],
    ['Backtesting to', fmtTime(m.endTime)],
    ['Trading mode', r.marketType === 'perp' ? `USDT perpetual (${r.marginMode ?? 'isolated'} margin)` : 'spot'],
    ['Candles', String(m.candles)],
    ['Total trades', String(m.trades)],
    ['Starting balance', `${fmtNum(r.initialBalance, 3)} ${q}`],
    ['Final balance', `${fmtNum(r.finalBalance, 3)} ${q}`],
    ['Absolute profit', `${fmtNum(r.finalBalance - r.initialBalance, 3)} ${q}`],
    ['Total profit %', fmtPct(m.totalReturnPct)],
    ['CAGR %', fmtPct(m.cagrPct)],
    ['Sharpe', fmtNum(m.sharpe)],
    ['Sortino', fmtNum(m.sortino)],
    ['Calmar', fmtNum(m.calmar)],
    ['Profit factor', fmtNum(m.profitFactor)],
    ['Expectancy (per trade)', `${fmtNum(m.expectancy, 3)} ${q}`],
    ['Win rate', `${fmtPct(m.winRatePct)} (${m.wins} W / ${m.losses} L)`],
    ['Avg win / avg loss', `${fmtNum(m.avgWin, 3)} / ${fmtNum(m.avgLoss, 3)} ${q}`],
    ['Best trade / worst trade', `${fmtNum(m.bestTrade, 3)} / ${fmtNum(m.worstTrade, 3)} ${q}`],
    ['Max consecutive wins / losses', `${m.maxConsecutiveWins} / ${m.maxConsecutiveLosses}`],
    ['Avg trade duration', fmtDuration(m.avgTradeDurationMs)],
    ['Exposure', fmtPct(m.exposurePct)],
    ['Fees paid', `${fmtNum(m.feesPaid, 3)} ${q}`],
    ['Funding paid', fundingRow(r, q)],
    ['Max % of account underwater', fmtPct(m.maxDrawdownPct)],
    ['Absolute drawdown', `${fmtNum(m.maxDrawdownAbs, 3)} ${q}`],
    ['Drawdown start / end', `${fmtTime(m.drawdownStart)} / ${fmtTime(m.drawdownEnd)}`],
    ['Drawdown duration', fmtDuration(m.drawdownDurationMs)],
    ['Liquidations', String(m.liquidations)],
    ['Rejected orders', String(m.rejectedOrders)],
    ['Market change (buy & hold)', fmtPct(m.buyAndHoldReturnPct)],
    ...Object.entries(r.strategyStats ?? {}).map(([k, v]): [string, string] => [`${r.strategy}: ${k.replace(/_/g, ' ')}`, fmtNum(v, 3)]),
  ];
}

/** Terminal summary: summary metrics, exit-reason stats and the monthly breakdown as aligned tables. */
export function formatSummary(r: BacktestResult): string {
  const q = quote(r.symbol);
  const m = r.metrics;
  const parts = [
    `Result for strategy ${r.strategy} on ${r.symbol} ${r.timeframe}`,
    textTable('SUMMARY METRICS', ['Metric', 'Value'], summaryRows(r)),
    textTable(
      'EXIT REASON STATS',
      ['Exit reason', 'Trades', 'Wins', 'Losses', 'Win %', 'Avg profit %', `Tot profit ${q}`],
      m.exitReasons.map((e) => [e.reason, e.trades, e.wins, e.losses, fmtNum((e.wins / e.trades) * 100, 1), fmtNum(e.avgPnlPct), fmtNum(e.pnl, 3)]),
    ),
    textTable(
      'MONTHLY BREAKDOWN',
      ['Month', 'Trades', `Profit ${q}`, 'Return %', 'End balance'],
      m.monthly.map((x) => [x.month, x.trades, fmtNum(x.pnl, 3), fmtNum(x.returnPct), fmtNum(x.endEquity, 3)]),
    ),
  ];
  return parts.join('\n\n') + '\n';
}
