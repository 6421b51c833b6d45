import { describe, expect, it } from 'vitest';
import { computeStats, equityDrawdown, periodOf, type StatsFill } from './stats.calculator';

/**
 * One fixture of fills, computed by hand.
 *
 * BTC (manual account orders: a trade is the position's lifecycle)
 *   F1 2025-01-01 22:00  buy  long 0.2 @ 50000  fee 2
 *   F2 2025-01-01 23:30  sell long 0.1 @ 51000  fee 1.02   partial close: realized (51000 − 50000) × 0.1 = +100
 *   F3 2025-01-02 00:30  sell long 0.1 @ 49000  fee 0.98   closes (across UTC midnight): realized (49000 − 50000) × 0.1 = −100
 *      → one trade: 100 − 100 − (2 + 1.02 + 0.98) = −4 (a loss), counted on 2025-01-02
 * ETH (a GRID bot: one trade per reducing fill)
 *   F4 2025-01-02 01:00  buy  long 1 @ 3000  fee 0.6
 *   F5 2025-01-02 02:00  buy  long 1 @ 2900  fee 0.58      average (3000 + 2900) / 2 = 2950, entry fees 1.18
 *   F6 2025-01-02 03:00  sell long 1 @ 3010  fee 0.602     realized (3010 − 2950) × 1 = 60
 *      → trade: 60 − 0.602 − 1.18 × 1/2 = 58.808 (a win); 1 ETH left open @ 2950; mark 3100 → unrealized +150
 *
 * totals: realized 100 − 100 + 60 = 60; fees 2 + 1.02 + 0.98 + 0.6 + 0.58 + 0.602 = 5.782; funding 1.5 (ETH);
 *   net 60 − 5.782 − 1.5 = 52.718; volume 10000 + 5100 + 4900 + 3000 + 2900 + 3010 = 28910;
 *   trades 2, wins 1, losses 1, win rate 50; gross profit 58.808, gross loss 4, profit factor 14.702
 * daily: 2025-01-01 realized 100, fees 3.02, net 96.98, no trade, volume 15100
 *        2025-01-02 realized −40, fees 0.98 + 0.6 + 0.58 + 0.602 = 2.762, net −42.762, 2 trades, volume 13810
 * weekly: both days in the week of Monday 2024-12-30: realized 60, fees 5.782, net 54.218 (funding is not dated)
 * monthly: 2025-01 the same.
 */
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const t = (iso: string) => Date.parse(iso);
const fill = (f: Partial<StatsFill> & Pick<StatsFill, 'side' | 'amount' | 'price' | 'feeQuote' | 'time'>): StatsFill => ({
  symbol: BTC,
  accountId: 'acc',
  botId: null,
  perFill: false,
  positionSide: 'long',
  ...f,
});
const FILLS: StatsFill[] = [
  fill({ side: 'buy', amount: '0.2', price: '50000', feeQuote: '2', time: t('2025-01-01T22:00:00Z') }),
  fill({ side: 'sell', amount: '0.1', price: '51000', feeQuote: '1.02', time: t('2025-01-01T23:30:00Z') }),
  fill({ side: 'sell', amount: '0.1', price: '49000', feeQuote: '0.98', time: t('2025-01-02T00:30:00Z') }),
  fill({ symbol: ETH, botId: 'grid-bot', perFill: true, side: 'buy', amount: '1', price: '3000', feeQuote: '0.6', time: t('2025-01-02T01:00:00Z') }),
  fill({ symbol: ETH, botId: 'grid-bot', perFill: true, side: 'buy', amount: '1', price: '2900', feeQuote: '0.58', time: t('2025-01-02T02:00:00Z') }),
  fill({ symbol: ETH, botId: 'grid-bot', perFill: true, side: 'sell', amount: '1', price: '3010', feeQuote: '0.602', time: t('2025-01-02T03:00:00Z') }),
];

describe('computeStats: a fixture of fills against a hand computation', () => {
  // given in shuffled order: the calculator sorts by time
  const r = computeStats({ fills: [...FILLS].reverse(), funding: { [ETH]: '1.5' }, marks: { [ETH]: '3100', [BTC]: '52000' } });

  it('totals: realized, fees, funding, net, unrealized, volume, trades, win rate, profit factor', () => {
    expect(r.totals).toEqual({
      realizedPnl: '60',
      fees: '5.782',
      funding: '1.5',
      netPnl: '52.718',
      unrealizedPnl: '150',
      volume: '28910',
      fills: 6,
      trades: 2,
      wins: 1,
      losses: 1,
      winRatePct: '50',
      grossProfit: '58.808',
      grossLoss: '4',
      profitFactor: '14.702',
    });
  });

  it('daily PnL across the UTC midnight; weekly and monthly buckets', () => {
    expect(r.periods.day).toEqual([
      { period: '2025-01-01', realizedPnl: '100', fees: '3.02', netPnl: '96.98', trades: 0, volume: '15100' },
      { period: '2025-01-02', realizedPnl: '-40', fees: '2.762', netPnl: '-42.762', trades: 2, volume: '13810' },
    ]);
    expect(r.periods.week).toEqual([{ period: '2024-12-30', realizedPnl: '60', fees: '5.782', netPnl: '54.218', trades: 2, volume: '28910' }]);
    expect(r.periods.month).toEqual([{ period: '2025-01', realizedPnl: '60', fees: '5.782', netPnl: '54.218', trades: 2, volume: '28910' }]);
  });

  it('a partially closed position: realized PnL on its day, no trade until it is flat', () => {
    const partial = computeStats({ fills: FILLS.slice(0, 2), marks: { [BTC]: '52000' } });
    // 0.1 left @ 50000, mark 52000 → unrealized (52000 − 50000) × 0.1 = 200
    expect(partial.totals).toMatchObject({ realizedPnl: '100', fees: '3.02', netPnl: '96.98', trades: 0, winRatePct: '0', profitFactor: null, unrealizedPnl: '200' });
    expect(partial.open).toEqual([{ symbol: BTC, side: 'long', botId: null, size: '0.1', averageEntry: '50000', mark: '52000', unrealizedPnl: '200' }]);
  });

  it('performance per symbol, best net first; open positions with their mark', () => {
    expect(r.bySymbol.map((s) => [s.symbol, s.netPnl, s.trades, s.winRatePct, s.unrealizedPnl])).toEqual([
      // ETH: 60 − (0.6 + 0.58 + 0.602) − 1.5 = 56.718
      [ETH, '56.718', 1, '100', '150'],
      // BTC: 0 − 4 = −4
      [BTC, '-4', 1, '0', '0'],
    ]);
    expect(r.open).toEqual([{ symbol: ETH, side: 'long', botId: 'grid-bot', size: '1', averageEntry: '2950', mark: '3100', unrealizedPnl: '150' }]);
  });

  it('a short: realized (average − exit) × amount; no mark → unrealized unknown', () => {
    const s = computeStats({
      fills: [
        fill({ positionSide: 'short', side: 'sell', amount: '2', price: '100', feeQuote: '0.1', time: t('2025-03-01T00:00:00Z') }),
        fill({ positionSide: 'short', side: 'buy', amount: '0.5', price: '90', feeQuote: '0.05', time: t('2025-03-02T00:00:00Z') }),
      ],
    });
    // realized (100 − 90) × 0.5 = 5; fees 0.15; 1.5 left open
    expect(s.totals).toMatchObject({ realizedPnl: '5', fees: '0.15', netPnl: '4.85', trades: 0, unrealizedPnl: '0' });
    expect(s.open[0]).toMatchObject({ side: 'short', size: '1.5', mark: null, unrealizedPnl: null });
  });

  it('UTC periods: Sunday belongs to the week that started on the Monday before', () => {
    expect(periodOf(t('2025-01-05T23:59:59Z'), 'week')).toBe('2024-12-30'); // Sunday
    expect(periodOf(t('2025-01-06T00:00:00Z'), 'week')).toBe('2025-01-06'); // Monday
    expect(periodOf(t('2025-01-31T23:59:59.999Z'), 'month')).toBe('2025-01');
  });
});

describe('equityDrawdown', () => {
  it('largest peak-to-trough fall of the equity curve, in quote and % of its peak', () => {
    // 1000 → 1100 (peak) → 990 (−110, 10 %) → 1050 → 880 (−220 from 1100 = 20 %) → 1200
    const pts = [1000, 1100, 990, 1050, 880, 1200].map((e, i) => ({ time: i * 60_000, equity: String(e) }));
    expect(equityDrawdown(pts)).toEqual({ maxDrawdown: '220', maxDrawdownPct: '20', peakTime: 60_000, troughTime: 240_000 });
    expect(equityDrawdown([])).toEqual({ maxDrawdown: '0', maxDrawdownPct: '0', peakTime: null, troughTime: null });
  });
});
