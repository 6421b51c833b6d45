import { describe, expect, it } from 'vitest';
import type { Candle } from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { parseFundingCsv } from '../funding.csv';
import { HOUR, PERP, T0, bars, market, scriptedStrategy } from '../testing/scripted.strategy';

/**
 * Funding from history, charged at each funding time on the position held then, at the mark price of that moment
 * on the candle path (docs/adr/0011-cross-margin-and-funding.md): amount = qty × mark × rate, paid by longs and
 * received by shorts when the rate is positive (the reverse when negative). A funding time at a candle's open is
 * charged at the open; one inside a candle where the walk reaches it — waypoints (open, first extreme, second
 * extreme, close) at 0, 1/3, 2/3 and 1 of the candle. Both scenarios hold long 1 and short 2 (hedge mode), no fees.
 */
const NO_COSTS = { feeMaker: 0, feeTaker: 0, slippage: 0 } as const;
const hedge = scriptedStrategy({
  onCandle: (i) => (i === 0 ? [market('f:long', 'buy', 'long', 1, 'entry'), market('f:short', 'sell', 'short', 2, 'entry')] : []),
});
const DAY = 24 * HOUR;

describe('scenario: funding at 00:00/08:00/16:00 on 1h candles, long and short, positive and negative rates', () => {
  // candles 06:00 .. 16:00; the positions open at the 07:00 open (decided at the 06:00 close)
  const rows: Array<[number, number, number, number]> = [];
  for (let h = 6; h <= 16; h++) rows.push(h === 8 ? [102, 102, 102, 102] : h === 16 ? [98, 98, 98, 98] : [100, 100, 100, 100]);
  const candles: Candle[] = bars(rows, T0 + 6 * HOUR);
  // Binance stamps settlements a few ms late: 08:00:00.004 is floored to the second and lands on the 08:00 open
  const funding = parseFundingCsv(`timestamp,rate\n${T0},0.0003\n${T0 + 8 * HOUR + 4},0.0001\n${T0 + 16 * HOUR},-0.0002\n`);
  const r = runBacktest({ strategy: hedge, settings: {}, candles, market: PERP, timeframe: '1h', initialBalance: 10_000, leverage: 5, funding, ...NO_COSTS });

  it('charges 08:00 at the 08:00 open (102) and 16:00 at the 16:00 open (98); 00:00 was before the positions', () => {
    // 08:00, rate +0.0001, mark 102: long pays 1 × 102 × 0.0001 = 0.0102 ; short receives 2 × 102 × 0.0001 = 0.0204
    // 16:00, rate −0.0002, mark 98: long receives 1 × 98 × 0.0002 = 0.0196 ; short pays 2 × 98 × 0.0002 = 0.0392
    // net paid: 0.0102 − 0.0204 − 0.0196 + 0.0392 = 0.0094
    expect(r.metrics.fundingPaid).toBeCloseTo(0.0094, 12);
    expect(r.fundingEvents).toBe(2); // funding times inside the run's candles (00:00 is before 06:00)
    const long = r.trades.find((t) => t.side === 'long');
    const short = r.trades.find((t) => t.side === 'short');
    expect(long?.funding).toBeCloseTo(0.0102 - 0.0196, 12);
    expect(short?.funding).toBeCloseTo(-0.0204 + 0.0392, 12);
    // no price PnL (in at 100, out at the last close 98 for the long: −2 ; short +4) — the ledger closes
    expect(r.finalBalance).toBeCloseTo(10_000 - 2 + 4 - 0.0094, 10);
  });
});

describe('scenario: funding inside 1d candles at the mark of the path (08:00 = first extreme, 16:00 = second)', () => {
  // day 0 flat 100 (the entries are decided at its close); day 1 open 100, high 110, low 95, close 105: the low
  // is nearer the open, so the path is 100 → 95 → 110 → 105 with 08:00 at 95 and 16:00 at 110; day 2 flat 105
  const candles: Candle[] = [
    { time: T0, open: 100, high: 100, low: 100, close: 100, volume: 1 },
    { time: T0 + DAY, open: 100, high: 110, low: 95, close: 105, volume: 1 },
    { time: T0 + 2 * DAY, open: 105, high: 105, low: 105, close: 105, volume: 1 },
  ];
  const funding = parseFundingCsv(
    [
      'timestamp,rate',
      `${T0 + DAY},0.0001`, // day 1 00:00: at the open, before the entries fill there — nothing held yet
      `${T0 + DAY + 8 * HOUR},0.0002`,
      `${T0 + DAY + 16 * HOUR},-0.0003`,
      `${T0 + 2 * DAY},0.0001`,
    ].join('\n'),
  );
  const r = runBacktest({
    strategy: hedge,
    settings: {},
    candles,
    market: PERP,
    timeframe: '1d',
    initialBalance: 10_000,
    leverage: 5,
    funding,
    ...NO_COSTS,
  });

  it('charges each funding time at the path price of its moment, long pays and short receives (or the reverse)', () => {
    // 08:00 at 95, +0.0002: long 1 × 95 × 0.0002 = 0.019 ; short −2 × 95 × 0.0002 = −0.038
    // 16:00 at 110, −0.0003: long 1 × 110 × −0.0003 = −0.033 ; short +2 × 110 × 0.0003 = 0.066
    // day 2 00:00 at the open 105, +0.0001: long 0.0105 ; short −0.021
    // total 0.019 − 0.038 − 0.033 + 0.066 + 0.0105 − 0.021 = 0.0035
    expect(r.metrics.fundingPaid).toBeCloseTo(0.0035, 12);
    const long = r.trades.find((t) => t.side === 'long');
    const short = r.trades.find((t) => t.side === 'short');
    expect(long?.funding).toBeCloseTo(0.019 - 0.033 + 0.0105, 12);
    expect(short?.funding).toBeCloseTo(-0.038 + 0.066 - 0.021, 12);
    // price PnL: long +5, short −10 at the last close 105
    expect(r.finalBalance).toBeCloseTo(10_000 + 5 - 10 - 0.0035, 10);
  });

  it('with no funding data the run says so (null), instead of reporting 0 paid', () => {
    const none = runBacktest({ strategy: hedge, settings: {}, candles, market: PERP, timeframe: '1d', initialBalance: 10_000, leverage: 5, ...NO_COSTS });
    expect(none.fundingEvents).toBeNull();
    // funding times inside the run: day 1 00:00, 08:00, 16:00 and day 2 00:00 (the first one found nothing held)
    expect(r.fundingEvents).toBe(4);
  });
});
