import { describe, expect, it } from 'vitest';
import { cagrPct, computeMetrics, drawdownSeries, monthlyBreakdown, returnRatios } from './metrics';
import type { TradeRecord } from './backtest.types';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 30); // 30 Jan: the series crosses into February

/** Equity on four daily candles, initial 100:  110, 99, 121, 108.9 */
const equity = new Float64Array([110, 99, 121, 108.9]);
const time = new Float64Array([T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY]);

describe('metrics on a hand-made equity series', () => {
  it('drawdown: 110 -> 99 is -10 %, 121 -> 108.9 is -10 % (the first is kept), abs max 12.1', () => {
    const dd = drawdownSeries(equity, 100);
    expect([...dd.drawdownPct].map((x) => Number(x.toFixed(10)))).toEqual([0, -10, 0, -10]);
    expect(dd.maxDrawdownPct).toBeCloseTo(10, 12);
    expect(dd.maxDrawdownAbs).toBeCloseTo(12.1, 12);
    expect([dd.peakIndex, dd.troughIndex]).toEqual([0, 1]);
  });

  it('Sharpe / Sortino from per-candle returns, annualised with sqrt(365) for 1d', () => {
    // returns: 110/100-1 = 0.1, 99/110-1 = -0.1, 121/99-1 = 0.2222..., 108.9/121-1 = -0.1
    const r = [0.1, -0.1, 121 / 99 - 1, -0.1];
    const mean = (0.1 - 0.1 + 2 / 9 - 0.1) / 4; // = 0.030555...
    expect(r.reduce((a, b) => a + b, 0) / 4).toBeCloseTo(mean, 14);
    // sample variance: sum of squared deviations / 3
    const dev = [0.1 - mean, -0.1 - mean, 2 / 9 - mean, -0.1 - mean];
    const sd = Math.sqrt(dev.reduce((a, d) => a + d * d, 0) / 3);
    // downside deviation: sqrt((0.01 + 0.01) / 4)
    const dd = Math.sqrt(0.02 / 4);
    const got = returnRatios(equity, 100, '1d');
    expect(got.periodsPerYear).toBe(365);
    expect(got.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 10);
    expect(got.sortino).toBeCloseTo((mean / dd) * Math.sqrt(365), 10);
  });

  it('CAGR over the 4-day span and Calmar = CAGR / max drawdown', () => {
    const cagr = (Math.pow(1.089, 365 / 4) - 1) * 100;
    expect(cagrPct(100, 108.9, 4 * DAY)).toBeCloseTo(cagr, 6);
    const trades: TradeRecord[] = [
      { entryTime: T0, exitTime: T0 + DAY, side: 'long', entryPrice: 1, exitPrice: 1, qty: 1, dcaCount: 0, pnl: 10, pnlPct: 10, fees: 0, funding: 0, reason: 'tp1', entryTag: 'entry', durationMs: DAY },
      { entryTime: T0 + DAY, exitTime: T0 + 3 * DAY, side: 'long', entryPrice: 1, exitPrice: 1, qty: 1, dcaCount: 0, pnl: -4, pnlPct: -4, fees: 0, funding: 0, reason: 'sl', entryTag: 'entry', durationMs: 2 * DAY },
      { entryTime: T0 + DAY, exitTime: T0 + 3 * DAY, side: 'short', entryPrice: 1, exitPrice: 1, qty: 1, dcaCount: 0, pnl: 2.9, pnlPct: 2.9, fees: 0, funding: 0, reason: 'tp1', entryTag: 'entry', durationMs: 2 * DAY },
    ];
    const { metrics: m } = computeMetrics({
      timeframe: '1d', initialBalance: 100, time, equity, trades, feesPaid: 1, fundingPaid: 0, realizedPnl: 9.9,
      exposedCandles: 3, firstOpen: 50, lastClose: 60,
    });
    expect(m.totalReturnPct).toBeCloseTo(8.9, 10);
    expect(m.cagrPct).toBeCloseTo(cagr, 6);
    expect(m.calmar).toBeCloseTo(cagr / 10, 6);
    expect(m.drawdownStart).toBe(T0 + DAY); // close of the first candle (the 110 peak)
    expect(m.drawdownEnd).toBe(T0 + 2 * DAY);
    // trades: wins 10 and 2.9, loss -4 -> win rate 66.67 %, PF 12.9 / 4, expectancy 8.9 / 3
    expect(m.winRatePct).toBeCloseTo(200 / 3, 10);
    expect(m.profitFactor).toBeCloseTo(3.225, 12);
    expect(m.expectancy).toBeCloseTo(8.9 / 3, 12);
    expect(m.avgWin).toBeCloseTo(6.45, 12);
    expect(m.avgLoss).toBeCloseTo(-4, 12);
    expect([m.bestTrade, m.worstTrade]).toEqual([10, -4]);
    expect(m.exposurePct).toBe(75);
    expect(m.buyAndHoldReturnPct).toBeCloseTo(20, 12);
    expect(m.exitReasons.map((r) => [r.reason, r.trades, r.wins, r.losses])).toEqual([
      ['tp1', 2, 2, 0],
      ['sl', 1, 0, 1],
    ]);
  });

  it('monthly breakdown splits at UTC month starts', () => {
    // Jan 30, Jan 31 | Feb 1, Feb 2: January ends at 99 (from 100), February ends at 108.9 (from 99)
    const rows = monthlyBreakdown(time, equity, 100, []);
    expect(rows.map((r) => [r.month, r.startEquity, r.endEquity])).toEqual([
      ['2024-01', 100, 99],
      ['2024-02', 99, 108.9],
    ]);
    expect(rows[1].returnPct).toBeCloseTo(10, 10);
  });
});
