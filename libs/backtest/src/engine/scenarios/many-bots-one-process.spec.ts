import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, hyperrsiStrategy, type MarketSpec, type Strategy } from '@tb/strategies';
import { BacktestSession, runBacktest } from '../backtest.runner';
import type { BacktestInput, BacktestResult } from '../backtest.types';
import { parseCandleColumns } from '@tb/market';

/**
 * No hidden shared state between bots in one process: HYPERRSI's module-level intent emitter, GRID's module-level
 * ranking pool and sync pass record, and the adaptive regime's ADX scratch (grid.regime.ts) are only used within one
 * synchronous call. Two bots of the same strategy with different
 * settings are stepped one candle at a time in turn — so every decide/onFill/onOrderClosed of one bot sits between
 * two of the other's, both through the same module state — and each result must equal the same bot run alone.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const N = 2_500;
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 };
const COSTS = { initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005 } as const;

/** The strategy, recording every intent it returns (keys, prices, amounts) into `log`, in order. */
function recording(strategy: Strategy<unknown, unknown>, log: string[]): Strategy<unknown, unknown> {
  const rec = <R extends { intents: readonly unknown[] }>(r: R): R => {
    for (const i of r.intents) log.push(JSON.stringify(i));
    return r;
  };
  return {
    ...strategy,
    decide: (st, c, m) => rec(strategy.decide(st, c, m)),
    onFill: (st, f) => rec(strategy.onFill(st, f)),
    onOrderClosed: (st, e) => rec(strategy.onOrderClosed(st, e)),
  };
}

function input(strategy: Strategy<unknown, unknown>, settings: unknown, market: MarketSpec, botId: string, leverage: number, log: string[]): BacktestInput {
  return { strategy: recording(strategy, log), settings, candles: cols, market, timeframe: '1h', leverage, botId, to: cols.time[N - 1], ...COSTS };
}

/** What a trader sees of a run (the equity arrays compared separately). */
const view = (r: BacktestResult) => ({ final: r.finalBalance, trades: r.trades, metrics: r.metrics, stats: r.strategyStats });

function interleaved(a: BacktestInput, b: BacktestInput): [BacktestResult, BacktestResult] {
  const sa = new BacktestSession(a);
  const sb = new BacktestSession(b);
  let doneA = false;
  let doneB = false;
  while (!doneA || !doneB) {
    if (!doneA) doneA = sa.step(1);
    if (!doneB) doneB = sb.step(1);
  }
  return [sa.finish(), sb.finish()];
}

describe('two bots of one strategy in one process, interleaved candle by candle', () => {
  const cases: Array<[string, Strategy<unknown, unknown>, unknown, unknown, MarketSpec, number]> = [
    [
      'HYPERRSI (module-level emitter)',
      hyperrsiStrategy as unknown as Strategy<unknown, unknown>,
      { leverage: 10, direction: 'both', use_trend_close: false, use_dual_side_entry: true },
      { leverage: 5, direction: 'both', rsi_oversold: 35, rsi_overbought: 65, use_trend_logic: false, trailing_stop_active: true, trailing_start_point: 'tp1' },
      PERP,
      10,
    ],
    [
      'GRID (module-level ranking pool)',
      gridStrategy as unknown as Strategy<unknown, unknown>,
      { mode: 'range', lowerPrice: 38_000, upperPrice: 52_000, gridNum: 14, maxOpenOrders: 6 },
      { mode: 'range', lowerPrice: 40_000, upperPrice: 50_000, gridNum: 10, maxOpenOrders: 4, direction: 'long' },
      SPOT,
      1,
    ],
    [
      'GRID adaptive (regime ADX scratch, sync pass record, nearest-level arming)',
      gridStrategy as unknown as Strategy<unknown, unknown>,
      { mode: 'adaptive', direction: 'long-short', leverage: 2, useRegimeFilter: true, maxOpenOrders: 4 },
      { mode: 'adaptive', direction: 'neutral', leverage: 3, gridNum: 12, nearestLevels: 6, repricePct: 0.5 },
      PERP,
      3,
    ],
  ];
  it.each(cases)('%s: each equals its run alone', (_name, strategy, settingsA, settingsB, market, lev) => {
    const logs = { aloneA: [] as string[], aloneB: [] as string[], withA: [] as string[], withB: [] as string[] };
    const aloneA = runBacktest(input(strategy, settingsA, market, 'bot-a', lev, logs.aloneA));
    const aloneB = runBacktest(input(strategy, settingsB, market, 'bot-b', lev, logs.aloneB));
    // the bots trade, and differently: a leak from one into the other would show
    expect(aloneA.trades.length).toBeGreaterThan(3);
    expect(aloneB.trades.length).toBeGreaterThan(3);
    expect(view(aloneA)).not.toEqual(view(aloneB));
    const [withA, withB] = interleaved(input(strategy, settingsA, market, 'bot-a', lev, logs.withA), input(strategy, settingsB, market, 'bot-b', lev, logs.withB));
    // every intent (its key included) as when run alone
    expect(logs.aloneA.length).toBeGreaterThan(10);
    expect(logs.withA).toEqual(logs.aloneA);
    expect(logs.withB).toEqual(logs.aloneB);
    // and every key is the bot's own (a leak that survives between calls would show even in the runs alone)
    const keysOf = (log: string[]) => log.map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keysOf(logs.aloneA).filter((k) => !k.startsWith('bot-a:'))).toEqual([]);
    expect(keysOf(logs.aloneB).filter((k) => !k.startsWith('bot-b:'))).toEqual([]);
    expect(view(withA)).toEqual(view(aloneA));
    expect(view(withB)).toEqual(view(aloneB));
    expect(Array.from(withA.equityValue)).toEqual(Array.from(aloneA.equityValue));
    expect(Array.from(withB.equityValue)).toEqual(Array.from(aloneB.equityValue));
  });
});
