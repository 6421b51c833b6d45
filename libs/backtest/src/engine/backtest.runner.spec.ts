import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Intent, OrderIntent } from '@tb/strategies';
import { runBacktest, ledgerTolerance } from './backtest.runner';
import { parseCandleColumns } from '@tb/market';
import { smaCrossStrategy } from './sma-cross.strategy';
import { PERP, SPOT, scriptedStrategy } from './testing/scripted.strategy';
import type { BacktestInput, BacktestResult } from './backtest.types';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });

/** Independent ledger checks on a finished run. */
function expectLedgerCloses(r: BacktestResult): void {
  const tol = ledgerTolerance(r.initialBalance);
  const sumTrades = r.trades.reduce((a, t) => a + t.pnl, 0);
  expect(Math.abs(r.initialBalance + sumTrades - r.finalBalance)).toBeLessThanOrEqual(tol);
  const m = r.metrics;
  expect(Math.abs(r.initialBalance + m.realizedPnl - m.feesPaid - m.fundingPaid - r.finalBalance)).toBeLessThanOrEqual(tol);
  expect(Math.abs(r.equityValue[r.equityValue.length - 1] - r.finalBalance)).toBeLessThanOrEqual(tol);
  for (const t of r.trades) expect(t.exitTime).toBeGreaterThanOrEqual(t.entryTime);
}

/** Deterministic pseudo-random order flow over every order type (LCG, no Math.random). */
function chaosStrategy(perp: boolean) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let n = 0;
  return scriptedStrategy({
    onCandle: (i, c) => {
      const out: Intent[] = [];
      const k = rnd();
      const side = perp && rnd() < 0.5 ? 'short' : 'long';
      const open = side === 'long' ? 'buy' : 'sell';
      const close = side === 'long' ? 'sell' : 'buy';
      const amt = Math.round((0.001 + rnd() * 0.05) * 1000) / 1000;
      const key = `c:${i}:${n++}`;
      const px = Math.round(c.close * (0.97 + rnd() * 0.06) * 100) / 100;
      const o = (p: Partial<OrderIntent>): OrderIntent => ({ action: 'place', key, type: 'market', side: open, positionSide: side, amount: amt, reduceOnly: false, tag: 'entry', ...p });
      if (k < 0.15) out.push(o({}));
      else if (k < 0.35) out.push(o({ type: 'limit', price: px }));
      else if (k < 0.45) out.push(o({ type: 'limit', side: close, price: px, reduceOnly: true, tag: 'tp1' }));
      else if (k < 0.55) out.push(o({ type: 'stop_market', side: close, triggerPrice: px, reduceOnly: true, tag: 'sl' }));
      else if (k < 0.6) out.push(o({ side: close, reduceOnly: true, tag: 'trend_close' }));
      else if (k < 0.7 && i > 3) out.push({ action: 'cancel', key: `c:${i - 3}:${n - 4}`, reason: 'chaos' });
      return out;
    },
  });
}

describe('runBacktest on real candles (BTC/USDT 1h 2024)', () => {
  const base = { candles: cols, timeframe: '1h' as const, initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005 };

  it.each([
    ['spot sma_cross', { strategy: smaCrossStrategy, settings: { fast: 8, slow: 21 }, market: SPOT }],
    ['perp sma_cross 5x with funding', { strategy: smaCrossStrategy, settings: { fast: 5, slow: 20, leverage: 5, investment: 3000 }, market: PERP, leverage: 5, funding: Array.from({ length: 1100 }, (_, i) => ({ time: cols.time[0] + i * 8 * 3_600_000, rate: i % 3 === 0 ? -0.0002 : 0.0001 })) }],
    ['spot chaos order flow', { strategy: chaosStrategy(false), settings: {}, market: SPOT }],
    ['perp chaos order flow 20x', { strategy: chaosStrategy(true), settings: {}, market: PERP, leverage: 20 }],
  ])('closes the ledger: %s', (_name, extra) => {
    const r = runBacktest({ ...base, ...extra } as BacktestInput);
    expect(r.trades.length).toBeGreaterThan(10);
    expectLedgerCloses(r);
    expect(r.equityValue.length).toBe(cols.length);
  });

  it('has no lookahead: trades closed before a cut are identical with and without the data after it', () => {
    const settings = { fast: 8, slow: 21 };
    const full = runBacktest({ ...base, strategy: smaCrossStrategy, settings, market: PERP, leverage: 3 });
    for (const cut of [1000, 4321, 7000]) {
      const part = runBacktest({ ...base, strategy: smaCrossStrategy, settings, market: PERP, leverage: 3, to: cols.time[cut - 1] });
      const cutTime = cols.time[cut - 1];
      const closedBefore = (r: BacktestResult) => r.trades.filter((t) => t.exitTime < cutTime);
      expect(closedBefore(part).length).toBeGreaterThan(5);
      expect(closedBefore(part)).toEqual(closedBefore(full));
      // the equity curves agree up to the candle before the cut (the last one is marked after the forced close)
      expect(Array.from(part.equityValue.subarray(0, cut - 1))).toEqual(Array.from(full.equityValue.subarray(0, cut - 1)));
    }
  });

  it('honours from/to (inclusive open times) and reports buy-and-hold over the same range', () => {
    const from = cols.time[100];
    const to = cols.time[299];
    const r = runBacktest({ ...base, strategy: smaCrossStrategy, settings: {}, market: SPOT, from, to });
    expect(r.equityValue.length).toBe(200);
    expect(r.metrics.startTime).toBe(from);
    expect(r.metrics.endTime).toBe(to + 3_600_000);
    expect(r.metrics.buyAndHoldReturnPct).toBeCloseTo((cols.close[299] / cols.open[100] - 1) * 100, 10);
  });

  it('reports progress and can be canceled', () => {
    const seen: number[] = [];
    expect(() =>
      runBacktest({ ...base, strategy: smaCrossStrategy, settings: {}, market: SPOT, progressEvery: 1000, onProgress: (p) => seen.push(p.done), shouldCancel: () => seen.length >= 3 }),
    ).toThrow(/canceled after 3000 candles/);
    expect(seen).toEqual([1000, 2000, 3000]);
  });
});
