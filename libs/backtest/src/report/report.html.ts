import type { CandleColumns } from '@tb/strategies';
import type { BacktestResult } from '../engine/backtest.types';
import { fmtNum, fmtPct, fmtTime, summaryRows } from './report.format';

/** Most bars drawn in the report's charts; longer runs are aggregated into larger buckets. */
const MAX_BARS = 6000;
const MAX_MARKERS = 4000;
const MAX_TRADE_ROWS = 1000;
/** Marker labels only while they stay readable. */
const MAX_LABELLED_TRADES = 60;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
/** JSON safe to embed in a <script> block. */
const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

interface ChartData {
  candles: Array<[number, number, number, number, number]>; // time s, o, h, l, c
  equity: Array<[number, number]>;
  drawdown: Array<[number, number]>;
  markers: Array<{ time: number; position: 'aboveBar' | 'belowBar'; color: string; shape: 'arrowUp' | 'arrowDown'; text: string }>;
}

function chartData(r: BacktestResult, cols: CandleColumns): ChartData {
  const { start, end } = r.range;
  const n = end - start;
  const bucket = Math.max(1, Math.ceil(n / MAX_BARS));
  const candles: ChartData['candles'] = [];
  const equity: ChartData['equity'] = [];
  const drawdown: ChartData['drawdown'] = [];
  for (let b = 0; b < n; b += bucket) {
    const i0 = start + b;
    const i1 = Math.min(end, i0 + bucket) - 1;
    let h = -Infinity;
    let l = Infinity;
    let dd = 0;
    for (let i = i0; i <= i1; i++) {
      if (cols.high[i] > h) h = cols.high[i];
      if (cols.low[i] < l) l = cols.low[i];
      const d = r.drawdownPct[i - start];
      if (d < dd) dd = d;
    }
    const t = Math.floor(cols.time[i0] / 1000);
    candles.push([t, cols.open[i0], h, l, cols.close[i1]]);
    equity.push([t, r.equityValue[i1 - start]]);
    drawdown.push([t, dd]);
  }
  const bucketTime = (ms: number) => {
    const idx = Math.min(candles.length - 1, Math.max(0, Math.floor(lowerIdx(r.equityTime, ms) / bucket)));
    return candles[idx][0];
  };
  const markers: ChartData['markers'] = [];
  const trades = r.trades.length > MAX_MARKERS / 2 ? r.trades.slice(-MAX_MARKERS / 2) : r.trades;
  const labels = trades.length <= MAX_LABELLED_TRADES;
  for (const t of trades) {
    const long = t.side === 'long';
    markers.push({ time: bucketTime(t.entryTime), position: long ? 'belowBar' : 'aboveBar', color: long ? '#2e7d32' : '#c62828', shape: long ? 'arrowUp' : 'arrowDown', text: labels ? `${t.side} ${t.entryTag}` : '' });
    markers.push({ time: bucketTime(t.exitTime), position: long ? 'aboveBar' : 'belowBar', color: t.pnl >= 0 ? '#1565c0' : '#6d4c41', shape: long ? 'arrowDown' : 'arrowUp', text: labels ? `${t.reason} ${t.pnl >= 0 ? '+' : ''}${t.pnl.toFixed(2)}` : '' });
  }
  markers.sort((a, b) => a.time - b.time);
  return { candles, equity, drawdown, markers };
}

function lowerIdx(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * One self-contained HTML page (opens offline): the lightweight-charts standalone build is inlined, the
 * chart data embedded as JSON. Candles with entry/exit markers, equity, drawdown, and the metric tables.
 */
export function renderHtmlReport(r: BacktestResult, cols: CandleColumns, chartsLibrary: string): string {
  const data = chartData(r, cols);
  const m = r.metrics;
  const title = `${r.strategy} · ${r.symbol} · ${r.timeframe}`;
  const trades = r.trades.slice(-MAX_TRADE_ROWS);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest: ${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:16px 24px;color:#1d2733;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#5b6b7b;margin-bottom:16px}.grid{display:grid;grid-template-columns:minmax(320px,420px) 1fr;gap:24px;align-items:start}
.chart{width:100%;background:#fff;border:1px solid #e3e8ee;border-radius:6px}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}th,td{border:1px solid #e3e8ee;padding:4px 8px;text-align:left}
td:not(:first-child){font-variant-numeric:tabular-nums}th{background:#f1f4f7}.kpis{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.kpi{background:#fff;border:1px solid #e3e8ee;border-radius:6px;padding:8px 14px}.kpi b{display:block;font-size:18px}
.pos{color:#2e7d32}.neg{color:#c62828}.scroll{max-height:480px;overflow:auto}
</style></head><body>
<h1>Backtest: ${esc(title)}</h1>
<div class="sub">${esc(fmtTime(m.startTime))} → ${esc(fmtTime(m.endTime))} UTC · ${m.candles} candles · ${r.marketType === 'perp' ? 'USDT perpetual' : 'spot'}</div>
<div class="kpis">
${[
  ['Total return', fmtPct(m.totalReturnPct), m.totalReturnPct],
  ['CAGR', fmtPct(m.cagrPct), m.cagrPct],
  ['Sharpe', fmtNum(m.sharpe), m.sharpe ?? 0],
  ['Max drawdown', fmtPct(-m.maxDrawdownPct), -m.maxDrawdownPct],
  ['Trades', String(m.trades), 0],
  ['Win rate', fmtPct(m.winRatePct), 0],
  ['Profit factor', fmtNum(m.profitFactor), 0],
  ['Buy & hold', fmtPct(m.buyAndHoldReturnPct), m.buyAndHoldReturnPct],
]
  .map(([k, v, s]) => `<div class="kpi">${esc(String(k))}<b class="${(s as number) > 0 ? 'pos' : (s as number) < 0 ? 'neg' : ''}">${esc(String(v))}</b></div>`)
  .join('\n')}
</div>
<h2>Price, entries and exits</h2><div id="price" class="chart" style="height:420px"></div>
<h2>Equity</h2><div id="equity" class="chart" style="height:220px"></div>
<h2>Drawdown %</h2><div id="drawdown" class="chart" style="height:160px"></div>
<div class="grid">
<div><h2>Summary metrics</h2>${table(['Metric', 'Value'], summaryRows(r))}</div>
<div><h2>Exit reasons</h2>${table(
    ['Exit reason', 'Trades', 'Wins', 'Losses', 'Avg profit %', 'Total profit'],
    m.exitReasons.map((e) => [e.reason, String(e.trades), String(e.wins), String(e.losses), fmtNum(e.avgPnlPct), fmtNum(e.pnl, 3)]),
  )}
<h2>Monthly</h2><div class="scroll">${table(
    ['Month', 'Trades', 'Profit', 'Return %', 'End balance'],
    m.monthly.map((x) => [x.month, String(x.trades), fmtNum(x.pnl, 3), fmtNum(x.returnPct), fmtNum(x.endEquity, 3)]),
  )}</div></div></div>
<h2>Trades${r.trades.length > MAX_TRADE_ROWS ? ` (last ${MAX_TRADE_ROWS} of ${r.trades.length}; all in trades.csv)` : ''}</h2>
<div class="scroll">${table(
    ['Entry', 'Exit', 'Side', 'Entry price', 'Exit price', 'Qty', 'DCA', 'PnL', 'PnL %', 'Fees', 'Reason'],
    trades.map((t) => [fmtTime(t.entryTime), fmtTime(t.exitTime), t.side, fmtNum(t.entryPrice, 4), fmtNum(t.exitPrice, 4), String(+t.qty.toFixed(8)), String(t.dcaCount), fmtNum(t.pnl, 3), fmtNum(t.pnlPct), fmtNum(t.fees, 4), t.reason]),
  )}</div>
<script>${chartsLibrary}</script>
<script>
(function () {
  var D = ${json(data)};
  var LW = window.LightweightCharts;
  var base = { layout: { background: { color: '#ffffff' }, textColor: '#1d2733' }, grid: { vertLines: { color: '#f0f3f6' }, horzLines: { color: '#f0f3f6' } }, timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.01 }, autoSize: true };
  var price = LW.createChart(document.getElementById('price'), base);
  var cs = price.addSeries(LW.CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350' });
  cs.setData(D.candles.map(function (c) { return { time: c[0], open: c[1], high: c[2], low: c[3], close: c[4] }; }));
  if (LW.createSeriesMarkers) LW.createSeriesMarkers(cs, D.markers); else if (cs.setMarkers) cs.setMarkers(D.markers);
  var eq = LW.createChart(document.getElementById('equity'), base);
  eq.addSeries(LW.LineSeries, { color: '#1565c0', lineWidth: 2 }).setData(D.equity.map(function (p) { return { time: p[0], value: p[1] }; }));
  var dd = LW.createChart(document.getElementById('drawdown'), base);
  dd.addSeries(LW.AreaSeries, { lineColor: '#c62828', topColor: 'rgba(198,40,40,0.05)', bottomColor: 'rgba(198,40,40,0.35)', invertFilledArea: false }).setData(D.drawdown.map(function (p) { return { time: p[0], value: p[1] }; }));
  var charts = [price, eq, dd];
  var syncing = false;
  charts.forEach(function (c) {
    c.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
      if (!range || syncing) return;
      syncing = true;
      charts.forEach(function (o) { if (o !== c) o.timeScale().setVisibleLogicalRange(range); });
      syncing = false;
    });
  });
  function fit() { syncing = true; charts.forEach(function (c) { c.timeScale().fitContent(); }); syncing = false; }
  fit();
  setTimeout(fit, 50);
})();
</script>
</body></html>
`;
}
