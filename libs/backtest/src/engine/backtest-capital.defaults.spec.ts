import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, type MarketSpec } from '@tb/strategies';
import { withBacktestCapital } from './backtest-capital.defaults';
import { runBacktest } from './backtest.runner';
import { parseCandleColumns } from '@tb/market';
import { smaCrossStrategy } from './sma-cross.strategy';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
// the CLI's default instrument (tb backtest: tick 0.01, amount step 0.0001, min notional 5)
const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 5 };
const PERP: MarketSpec = { ...SPOT, symbol: 'BTC/USDT:USDT', type: 'perp' };
const spotAccount = { initialBalance: 10_000, marketType: 'spot' as const, leverage: 1, feeMaker: 0.0002 };

describe('backtest capital defaults', () => {
  it('a GRID backtest with no capital setting commits the account: balance / (L_s × (1/L_e + maker)), floored to cents', () => {
    // spot: 10,000 / 1.0002 = 9,998.0004 → 9,998
    expect(withBacktestCapital(gridStrategy, {}, spotAccount)).toEqual({ investment: 9_998 });
    expect(withBacktestCapital(gridStrategy, undefined, spotAccount)).toEqual({ investment: 9_998 });
    // perp, grid leverage 10 (default), engine leverage 1: 10,000 / (10 × 1.0002) = 999.80004 → 999.80
    expect(withBacktestCapital(gridStrategy, { direction: 'neutral' }, { ...spotAccount, marketType: 'perp' })).toEqual({ direction: 'neutral', investment: 999.8 });
    // perp, grid leverage 5, engine leverage 5: 10,000 / (5 × (0.2 + 0.0002)) = 9,990.00999 → 9,990.00
    expect(withBacktestCapital(gridStrategy, { leverage: 5 }, { ...spotAccount, marketType: 'perp', leverage: 5 })).toEqual({ leverage: 5, investment: 9_990 });
  });

  it('explicit capital settings, other sizing modes, invalid settings and other strategies are left alone', () => {
    for (const s of [{ investment: 10 }, { initial_capital: 50 }, { sizingMode: 'quote_per_grid', quotePerGrid: 20 }, { gridNum: 3, amountList: [10, 10, 10] }, { bogus: 1 }]) {
      expect(withBacktestCapital(gridStrategy, s, spotAccount)).toBe(s);
    }
    const sma = { fast: 5, slow: 20 };
    expect(withBacktestCapital(smaCrossStrategy, sma, spotAccount)).toBe(sma);
  });

  const run = (settings: unknown, market: MarketSpec) =>
    runBacktest({ strategy: gridStrategy, settings, candles: cols, market, timeframe: '1h', initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005, leverage: 1 });

  it("the original 10 USDT investment is under the minimum order on every level: the grid can't trade (the reported bug)", () => {
    // 10 USDT / 20 levels = 0.5 USDT per order on spot, 5 USDT floored below the minimum on a 10x perp
    for (const m of [SPOT, PERP]) {
      const r = run({ investment: 10 }, m);
      expect(r.trades).toHaveLength(0);
      expect(r.finalBalance).toBe(10_000);
    }
  });

  it('the default GRID backtest (no settings) trades round trips on spot and perp, with no rejections, and reports the investment used', () => {
    for (const [m, inv] of [
      [SPOT, 9_998],
      [PERP, 999.8],
    ] as const) {
      const r = run({}, m);
      expect((r.settings as { investment: number }).investment).toBe(inv);
      expect(r.trades.filter((t) => t.reason === 'grid_tp').length).toBeGreaterThan(10);
      expect(r.metrics.rejectedOrders).toBe(0);
      expect(r.metrics.feesPaid).toBeGreaterThan(0);
    }
  });
});
