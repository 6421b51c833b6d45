import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MatchingEngine, type EngineEvent } from '@tb/matching';
import {
  gridStrategy,
  hyperrsiStrategy,
  timeframeMs,
  type Fill,
  type Intent,
  type MarketSpec,
  type OrderClosedEvent,
  type Strategy,
} from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { withBacktestCapital } from '../backtest-capital.defaults';
import { parseCandleColumns } from '@tb/market';

/**
 * Scenario: the paper exchange in replay pauses the matching engine at every fill / closed order until the bot
 * has reacted (asynchronously, through the OMS), then resumes the candle from the same price. This spec drives a
 * PAUSING engine by hand — no handler: after each pause the strategy sees the events, its intents are applied with
 * `apply`, then `resume()` — and requires the exact same sequence of strategy inputs (every fill: key, price,
 * amount, fee, time; every closed order) as the backtester, which reacts through a synchronous handler.
 * Real BTC/USDT 1h candles of 2024 (first 3,000), HYPERRSI on a 10x perpetual and a GRID on spot.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const cols = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const N = 3000;
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5 };
const COSTS = { initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005 };

type Input = { kind: 'fill'; fill: Fill } | { kind: 'closed'; event: OrderClosedEvent } | { kind: 'decide'; time: number; intents: number };

/** Wraps a strategy so every input it sees is recorded. */
function recording<S>(inner: Strategy<unknown, S>, log: Input[]): Strategy<unknown, S> {
  return {
    ...inner,
    decide(state, candle, market) {
      const r = inner.decide(state, candle, market);
      log.push({ kind: 'decide', time: candle.time, intents: r.intents.length });
      return r;
    },
    onFill(state, fill) {
      log.push({ kind: 'fill', fill });
      return inner.onFill(state, fill);
    },
    onOrderClosed(state, event) {
      log.push({ kind: 'closed', event });
      return inner.onOrderClosed(state, event);
    },
  };
}

/** The replay pipeline in miniature: a pausing engine, the strategy reacting between pauses. */
function runPausing<S>(strategy: Strategy<unknown, S>, rawSettings: unknown, market: MarketSpec, leverage: number, restart = false): { pauses: number } {
  const settings = strategy.parseSettings(
    withBacktestCapital(strategy, rawSettings, { initialBalance: COSTS.initialBalance, marketType: market.type, leverage, feeMaker: COSTS.feeMaker }),
  );
  let state = strategy.init({ botId: 'backtest', settings, market, timeframe: '1h' });
  const config = { market, ...COSTS, leverage };
  let engine = new MatchingEngine(config);
  engine.pauseOnEvents(true);
  // a process restart: the engine rebuilt from its JSON snapshot (what the paper exchange persists)
  const reboot = (): void => {
    if (!restart) return;
    engine = MatchingEngine.restore(config, JSON.parse(JSON.stringify(engine.snapshot())));
    engine.pauseOnEvents(true);
  };
  let pauses = 0;
  const react = (events: readonly EngineEvent[], now: number): void => {
    // events answered in order; intents applied in order, their own events (rejections) answered after
    const queue = [...events];
    while (queue.length) {
      const e = queue.shift() as EngineEvent;
      let intents: readonly Intent[] = [];
      if (e.type === 'fill') ({ state, intents } = strategy.onFill(state, e.fill));
      else if (e.type === 'closed') ({ state, intents } = strategy.onOrderClosed(state, e.event));
      for (const it of intents) queue.push(...engine.apply(it, now));
    }
  };
  const tf = timeframeMs('1h');
  for (let i = 0; i < N; i++) {
    const t = cols.time[i];
    let events = engine.processBar(t, cols.open[i], cols.high[i], cols.low[i], cols.close[i]);
    react(events, t);
    while (engine.paused) {
      pauses++;
      reboot();
      events = engine.resume();
      react(events, t);
    }
    const r = strategy.decide(state, { time: t, open: cols.open[i], high: cols.high[i], low: cols.low[i], close: cols.close[i], volume: cols.volume[i] }, market);
    state = r.state;
    const ev: EngineEvent[] = [];
    for (const it of r.intents) ev.push(...engine.apply(it, t + tf));
    react(ev, t + tf);
    reboot();
  }
  return { pauses };
}

describe('a pausing matching engine reproduces the backtester exactly', () => {
  const cases: Array<[string, Strategy<unknown, unknown>, unknown, MarketSpec, number]> = [
    ['HYPERRSI perp 10x', hyperrsiStrategy as unknown as Strategy<unknown, unknown>, { leverage: 10, use_trend_close: false }, PERP, 10],
    ['GRID spot range', gridStrategy as unknown as Strategy<unknown, unknown>, { mode: 'range', lowerPrice: 38_000, upperPrice: 52_000, gridNum: 14 }, SPOT, 1],
    ['GRID perp adaptive long-short', gridStrategy as unknown as Strategy<unknown, unknown>, { direction: 'long-short', leverage: 3 }, PERP, 3],
  ];
  it.each(cases)('%s', (_name, strategy, settings, market, leverage) => {
    const viaHandler: Input[] = [];
    const result = runBacktest({
      strategy: recording(strategy, viaHandler),
      settings,
      candles: cols,
      market,
      timeframe: '1h',
      leverage,
      // the hand-driven engine below uses the engine's default margin mode (HYPERRSI's own default is cross)
      marginMode: 'isolated',
      to: cols.time[N - 1],
      ...COSTS,
    });
    const viaPauses: Input[] = [];
    const { pauses } = runPausing(recording(strategy, viaPauses), settings, market, leverage);
    const fills = viaHandler.filter((x) => x.kind === 'fill').length;
    // the scenario trades: the comparison below is about something
    expect(result.trades.length).toBeGreaterThan(5);
    expect(fills).toBeGreaterThan(20);
    // a pause happens at a safe point with fills or closed orders: at least one per candle that filled
    expect(pauses).toBeGreaterThan(0);
    // the backtest closes out at the end (end_of_data) without routing to the strategy, so inputs are comparable 1:1
    expect(viaPauses.length).toBe(viaHandler.length);
    expect(viaPauses).toEqual(viaHandler);
    // and the same when the engine is rebuilt from its JSON snapshot at every pause and after every candle
    const viaRestarts: Input[] = [];
    runPausing(recording(strategy, viaRestarts), settings, market, leverage, true);
    expect(viaRestarts).toEqual(viaHandler);
  });
});
