import { describe, expect, it } from 'vitest';
import { PAPER_MARKETS } from '@tb/exchange';
import type { MarketSpec } from '@tb/strategies';
import { readCandlesCsv } from '../../../../test/support/candles';
import { planSelection, rankSymbols, type SymbolScore } from './portfolio-selection';

/*
 * Symbol selection on a fixture of stored candles for 5 symbols (test/fixtures/candles/portfolio: 1h candles,
 * 2022-09-01..2022-09-15 UTC, cut from the Binance spot and USDⓈ-M series), ranked by the adaptive long grid
 * (20 levels, 1,000 USDT) backtested on each by our engine:
 *
 *   SOL/USDT       35 wins / 39 trades = 89.74 %
 *   BTC/USDT       23 / 27 = 85.19 %
 *   ETH/USDT:USDT  32 / 40 = 80 %
 *   ETH/USDT       31 / 40 = 77.5 %
 *   BTC/USDT:USDT  no trade: 1,000 / 20 = 50 USDT per level is under its 100 USDT minimum notional
 */
const FILES: ReadonlyArray<[string, string]> = [
  ['BTC/USDT', 'binance_BTC-USDT'],
  ['ETH/USDT', 'binance_ETH-USDT'],
  ['SOL/USDT', 'binance_SOL-USDT'],
  ['BTC/USDT:USDT', 'binanceusdm_BTC-USDT'],
  ['ETH/USDT:USDT', 'binanceusdm_ETH-USDT'],
];
const SERIES = FILES.map(([symbol, f]) => ({ symbol, market: PAPER_MARKETS.get(symbol) as MarketSpec, candles: readCandlesCsv(`test/fixtures/candles/portfolio/${f}_1h_2022-09.csv`) }));
const SETTINGS = { mode: 'adaptive', direction: 'long', gridNum: 20, investment: 1000, leverage: 1 };

describe('GRID symbol selection on stored candles of 5 symbols', () => {
  const ranking = rankSymbols(SERIES, SETTINGS, '1h', 'win_rate', 1000);

  it('ranks by win rate, best first', () => {
    expect(ranking.map((r) => [r.symbol, r.trades, Math.round(r.winRatePct * r.trades / 100)])).toEqual([
      ['SOL/USDT', 39, 35],
      ['BTC/USDT', 27, 23],
      ['ETH/USDT:USDT', 40, 32],
      ['ETH/USDT', 40, 31],
      ['BTC/USDT:USDT', 0, 0],
    ]);
    expect(ranking[1].winRatePct).toBeCloseTo((23 / 27) * 100, 10);
  });

  const plan = (over: Partial<Parameters<typeof planSelection>[0]>) => planSelection({ ranking, active: [], whitelist: [], blacklist: [], maxBots: 2, minTrades: 1, ...over });

  it('runs up to N bots on the best; a symbol without a backtest trade is never picked', () => {
    expect(plan({}).start).toEqual(['SOL/USDT', 'BTC/USDT']);
    expect(plan({ maxBots: 5 }).start).toEqual(['SOL/USDT', 'BTC/USDT', 'ETH/USDT:USDT', 'ETH/USDT']);
  });

  it('respects the blacklist, and puts the whitelist first', () => {
    expect(plan({ blacklist: ['SOL/USDT'] }).start).toEqual(['BTC/USDT', 'ETH/USDT:USDT']);
    expect(plan({ whitelist: ['ETH/USDT'] }).start).toEqual(['ETH/USDT', 'SOL/USDT']);
    // a running bot on a symbol that becomes blacklisted is stopped and replaced
    const p = plan({ active: [{ symbol: 'SOL/USDT', botId: 'a', stale: false }], blacklist: ['SOL/USDT'] });
    expect(p.stop).toEqual([{ symbol: 'SOL/USDT', botId: 'a', stale: false, reason: 'blacklisted' }]);
    expect(p.start).toEqual(['BTC/USDT', 'ETH/USDT:USDT']);
  });

  it('replaces a symbol after custom_stop minutes without entries (by the next best, not by itself)', () => {
    const p = plan({ active: [{ symbol: 'SOL/USDT', botId: 'a', stale: true }, { symbol: 'BTC/USDT', botId: 'b', stale: false }] });
    expect(p.stop.map((s) => [s.symbol, s.reason])).toEqual([['SOL/USDT', 'custom_stop']]);
    expect(p.keep.map((k) => k.symbol)).toEqual(['BTC/USDT']);
    expect(p.start).toEqual(['ETH/USDT:USDT']);
  });

  it('other metrics: total return, profit factor', () => {
    const byReturn = rankSymbols(SERIES, SETTINGS, '1h', 'total_return', 1000);
    const returns = byReturn.map((r) => r.totalReturnPct);
    expect([...returns].sort((a, b) => b - a)).toEqual(returns);
    const scores: SymbolScore[] = rankSymbols(SERIES, SETTINGS, '1h', 'profit_factor', 1000);
    expect(scores.every((s, i) => i === 0 || scores[i - 1].score >= s.score)).toBe(true);
  });
});
