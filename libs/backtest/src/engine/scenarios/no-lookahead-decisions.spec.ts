import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridStrategy, hyperrsiStrategy, type MarketSpec, type Strategy } from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { parseCandleColumns } from '@tb/market';

/**
 * No lookahead, by test (issue 3): for 200 random cut points t on real candles, everything the strategy decided up
 * to and including its decision on candle t (decide outputs, and onFill outputs in between, in order) is identical
 * whether or not the candles after t exist. Run through the real backtester and matching engine, with every
 * feature of the strategy's defaults on (HYPERRSI's trend_state needs higher-timeframe bars: a bar used before it
 * closed would change the decisions of the truncated run).
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const all = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

/** Deterministic PRNG (mulberry32) so the cut points are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function recording<Se, St>(s: Strategy<Se, St>, log: string[]): Strategy<Se, St> {
  return {
    name: s.name,
    parseSettings: (i) => s.parseSettings(i),
    init: (i) => s.init(i),
    decide: (state, candle, market) => {
      const r = s.decide(state, candle, market);
      log.push(`D${candle.time}|${JSON.stringify(r.intents)}`);
      return r;
    },
    onFill: (state, fill) => {
      const r = s.onFill(state, fill);
      log.push(`F${fill.time}|${fill.key}|${fill.amount}|${fill.price}|${JSON.stringify(r.intents)}`);
      return r;
    },
    onOrderClosed: (state, ev) => {
      const r = s.onOrderClosed(state, ev);
      log.push(`C${ev.time}|${ev.key}|${ev.status}|${JSON.stringify(r.intents)}`);
      return r;
    },
  };
}

function decisionsUpTo(log: string[], time: number): string[] {
  const at = log.indexOf(log.find((l) => l.startsWith(`D${time}|`))!);
  expect(at).toBeGreaterThanOrEqual(0);
  return log.slice(0, at + 1);
}

const cases = [
  { name: 'HYPERRSI', strategy: hyperrsiStrategy as Strategy<unknown, unknown>, settings: {}, candles: all.length },
  { name: 'GRID (adaptive)', strategy: gridStrategy as Strategy<unknown, unknown>, settings: { investment: 5000 }, candles: 3000 },
];

describe.each(cases)('$name: decisions never depend on candles after the cut', ({ strategy, settings, candles }) => {
  it('200 random cut points', () => {
    const n = candles;
    const base = { settings, market: PERP, timeframe: '1h' as const, initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005, leverage: 5 };
    const fullLog: string[] = [];
    runBacktest({ ...base, strategy: recording(strategy, fullLog), candles: { ...all, length: n, time: all.time.subarray(0, n), open: all.open.subarray(0, n), high: all.high.subarray(0, n), low: all.low.subarray(0, n), close: all.close.subarray(0, n), volume: all.volume.subarray(0, n) } });
    expect(fullLog.filter((l) => !l.endsWith('|[]')).length).toBeGreaterThan(20); // the strategy really trades

    const rand = rng(0xc0ffee);
    const cuts = new Set<number>();
    while (cuts.size < 200) cuts.add(200 + Math.floor(rand() * (n - 400)));
    for (const cut of cuts) {
      const t = all.time[cut];
      const partLog: string[] = [];
      runBacktest({ ...base, strategy: recording(strategy, partLog), candles: all, to: t });
      expect(decisionsUpTo(partLog, t), `cut at candle ${cut}`).toEqual(decisionsUpTo(fullLog, t));
    }
  }, 120_000);
});
