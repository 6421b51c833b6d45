import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hyperrsiStrategy, StrategyCommandError, type Strategy } from '@tb/strategies';
import { parseCandleColumns } from '@tb/market';
import { runBacktest } from './backtest.runner';
import { smaCrossStrategy } from './sma-cross.strategy';
import { PERP } from './testing/scripted.strategy';
import type { BacktestCommand, BacktestInput } from './backtest.types';

// Trader commands in the backtester (docs/adr/0018-trader-commands.md): each applied right after the decision on the
// candle that opens at its time, its orders joining the book at that candle's close — as a bot applies a command after
// the last candle it decided. Fees and slippage 0, so the trade is computed by hand from the fixture's opens.
const FIXTURE = resolve(__dirname, '../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const N = 200;

const input = (commands?: readonly BacktestCommand[], strategy: Strategy<unknown, unknown> = hyperrsiStrategy as unknown as Strategy<unknown, unknown>): BacktestInput => ({
  strategy,
  // RSI thresholds 0 / 100: the strategy never enters on its own; no TP, so only the commands trade
  settings: { investment: 1000, leverage: 1, direction: 'long', rsi_oversold: 0, rsi_overbought: 100, use_tp1: false, use_tp2: false, use_tp3: false, trailing_stop_active: false, use_trend_logic: false, use_trend_close: false },
  candles: cols,
  to: cols.time[N - 1],
  market: PERP,
  timeframe: '1h',
  initialBalance: 10_000,
  feeMaker: 0,
  feeTaker: 0,
  slippage: 0,
  leverage: 1,
  ...(commands ? { commands } : {}),
});

describe('backtester: trader commands keyed by candle time', () => {
  const k = 50;

  it('force_entry at candle k fills at the open of k+1; close_percent 100 at k+3 exits at the open of k+4', () => {
    expect(runBacktest(input()).trades).toEqual([]); // no command, no trade
    const r = runBacktest(input([
      { time: cols.time[k], id: 'in', command: { type: 'force_entry', side: 'long', size: 0.01 } },
      { time: cols.time[k + 3], id: 'out', command: { type: 'close_percent', percent: 100 } },
    ]));
    expect(r.trades.length).toBe(1);
    const t = r.trades[0];
    const entry = cols.open[k + 1];
    const exit = cols.open[k + 4];
    expect({ side: t.side, entryTime: t.entryTime, exitTime: t.exitTime, qty: t.qty, reason: t.reason }).toEqual({ side: 'long', entryTime: cols.time[k + 1], exitTime: cols.time[k + 4], qty: 0.01, reason: 'close' });
    expect(t.entryPrice).toBeCloseTo(entry, 8);
    expect(t.exitPrice).toBeCloseTo(exit, 8);
    expect(t.pnl).toBeCloseTo((exit - entry) * 0.01, 8);
  });

  it('commands at the same candle apply in their order (the second entry is refused: a position is pending)', () => {
    const r = runBacktest(input([
      { time: cols.time[k], command: { type: 'force_entry', side: 'long', size: 0.01 } },
      { time: cols.time[k], command: { type: 'force_entry', side: 'long', size: 0.02 } },
    ]));
    expect(r.trades.map((t) => t.qty)).toEqual([0.01]); // closed at the end of the data
  });

  it('refuses a time that is no candle of the run, a malformed command, a strategy without commands', () => {
    expect(() => runBacktest(input([{ time: cols.time[k] + 1, command: { type: 'skip_next_entry' } }]))).toThrow(/no candle of the run opens at/);
    expect(() => runBacktest(input([{ time: cols.time[N + 5], command: { type: 'skip_next_entry' } }]))).toThrow(RangeError);
    expect(() => runBacktest(input([{ time: cols.time[k], command: { type: 'set_stop_loss', side: 'long' } }]))).toThrow(StrategyCommandError);
    const sma = { ...input([{ time: cols.time[k], command: { type: 'skip_next_entry' } }], smaCrossStrategy as unknown as Strategy<unknown, unknown>), settings: {} };
    expect(() => runBacktest(sma)).toThrow(/takes no commands/);
  });
});
