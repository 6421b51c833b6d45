import { describe, expect, it } from 'vitest';
import { toColumns } from '@tb/strategies';
import { runBacktest } from '../engine/backtest.runner';
import { SPOT, bars, limit, market, scriptedStrategy } from '../engine/testing/scripted.strategy';
import { formatSummary } from './report.format';
import { renderHtmlReport } from './report.html';
import { toResultJson, tradesCsv } from './report.output';
import { textTable } from './text-table';

const candles = bars([
  [100, 101, 99, 100],
  [100, 100.5, 94, 95],
  [95, 101, 94.5, 100],
  [100, 100, 100, 100],
]);
const result = runBacktest({
  strategy: scriptedStrategy({
    onCandle: (i) => (i === 0 ? [market('k:entry', 'buy', 'long', 1, 'entry')] : []),
    onFill: (f) => (f.tag === 'entry' ? [limit('k:tp', 'sell', 'long', 1, 100.5, 'tp1', true)] : []),
  }),
  settings: {},
  candles,
  market: SPOT,
  timeframe: '1h',
  initialBalance: 1000,
  feeMaker: 0,
  feeTaker: 0,
  slippage: 0,
});

describe('backtest report', () => {
  it('aligns text tables (numbers right, text left)', () => {
    expect(textTable('T', ['a', 'num'], [['x', 1], ['long', 22.5]]).split('\n')).toEqual([
      '====== T ======', // as wide as the table (15)
      '| a    |  num |',
      '|------|------|',
      '| x    |    1 |',
      '| long | 22.5 |',
    ]);
  });

  it('prints summary, exit-reason and monthly sections', () => {
    const s = formatSummary(result);
    for (const h of ['SUMMARY METRICS', 'EXIT REASON STATS', 'MONTHLY BREAKDOWN', 'Sharpe', 'Market change (buy & hold)']) expect(s).toContain(h);
    expect(s).toMatch(/\| tp1 +\| +1 \| +1 \| +0 \|/);
  });

  it('writes the documented JSON shape and a CSV row per trade', () => {
    const j = JSON.parse(JSON.stringify(toResultJson(result)));
    expect(Object.keys(j.metrics)).toEqual(expect.arrayContaining(['totalReturnPct', 'cagrPct', 'sharpe', 'sortino', 'calmar', 'maxDrawdownPct', 'winRatePct', 'profitFactor', 'expectancy', 'trades', 'feesPaid']));
    expect(j.trades[0]).toMatchObject({ side: 'long', entryPrice: 100, exitPrice: 100.5, qty: 1, pnl: 0.5, fees: 0, reason: 'tp1' });
    expect(j.equity).toHaveLength(4);
    expect(Object.keys(j.equity[0])).toEqual(['time', 'equity', 'drawdownPct']);
    expect(j.finalBalance).toBe(1000.5);
    const csv = tradesCsv(result.trades).trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toBe('2024-01-01T01:00:00.000Z,2024-01-01T02:00:00.000Z,long,100,100.5,1,0,0.5,0.5,0,0,tp1,entry,3600000');
  });

  it('renders one self-contained HTML page with the library and the chart data inlined', () => {
    const html = renderHtmlReport(result, toColumns(candles), '/*LIB*/window.LightweightCharts={};');
    expect(html).toContain('/*LIB*/');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('"candles":[[1704067200,100,101,99,100]');
    expect(html).toContain('tp1 +0.50');
  });
});
