import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCandleColumns } from '@tb/market';
import { MatchingEngine, type EngineEvent, type MatchingConfig } from '@tb/matching';
import { gridStrategy, hyperrsiStrategy, timeframeMs, type Candle, type Fill, type Intent, type MarketSpec, type Strategy } from '@tb/strategies';
import { runBacktest } from '../backtest.runner';
import { withBacktestCapital } from '../backtest-capital.defaults';
import { readFundingCsv } from '../funding.csv';

/**
 * The pausing walk stays exact with what this engine added (docs/adr/0011, 0013): cross margin, funding times
 * INSIDE long candles (12h candles: 08:00 sits at 2/3 of the 00:00 candle, 16:00 at 1/3 of the 12:00 one) and
 * trailing stops that move on the path. A pausing engine driven by hand — stopping at every fill, the strategy
 * answering between pauses, optionally rebuilt from its JSON snapshot at every pause — must give the strategy the
 * same fills as the backtester, and end with the same wallet. Real BTC/USDT 1h candles of 2024 folded into 12h,
 * with the real Binance USDⓈ-M funding of 2024.
 */
const FIXTURE = resolve(__dirname, '../../../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv');
const FUNDING = resolve(__dirname, '../../../../../data/binanceusdm_BTC-USDT_funding_2024-2025.csv');
const h1 = parseCandleColumns(readFileSync(FIXTURE, 'utf8'), { source: FIXTURE });
const funding = readFundingCsv(FUNDING);
const TF = '12h';
const STEP = timeframeMs(TF);
const candles: Candle[] = [];
for (let i = 0; i < h1.length; i++) {
  const t = h1.time[i];
  const start = t - (t % STEP);
  const last = candles[candles.length - 1];
  if (!last || last.time !== start) candles.push({ time: start, open: h1.open[i], high: h1.high[i], low: h1.low[i], close: h1.close[i], volume: h1.volume[i] });
  else candles[candles.length - 1] = { ...last, high: Math.max(last.high, h1.high[i]), low: Math.min(last.low, h1.low[i]), close: h1.close[i], volume: last.volume + h1.volume[i] };
}
const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const COSTS = { initialBalance: 10_000, feeMaker: 0.0002, feeTaker: 0.0005, slippage: 0.0005 };

function runPausing<S>(strategy: Strategy<unknown, S>, raw: unknown, leverage: number, restart: boolean): { fills: Fill[]; wallet: number; fundingEvents: number } {
  const settings = strategy.parseSettings(withBacktestCapital(strategy, raw, { initialBalance: COSTS.initialBalance, marketType: 'perp', leverage, feeMaker: COSTS.feeMaker }));
  let state = strategy.init({ botId: 'backtest', settings, market: PERP, timeframe: TF });
  const config: MatchingConfig = { market: PERP, ...COSTS, leverage, marginMode: 'cross', funding, barMs: STEP };
  let engine = new MatchingEngine(config);
  engine.pauseOnEvents(true);
  const fills: Fill[] = [];
  let fundingEvents = 0;
  const react = (events: readonly EngineEvent[], now: number): void => {
    const queue = [...events];
    while (queue.length) {
      const e = queue.shift() as EngineEvent;
      let intents: readonly Intent[] = [];
      if (e.type === 'fill') {
        fills.push(e.fill);
        ({ state, intents } = strategy.onFill(state, e.fill));
      } else if (e.type === 'closed') ({ state, intents } = strategy.onOrderClosed(state, e.event));
      else fundingEvents++;
      for (const it of intents) queue.push(...engine.apply(it, now));
    }
  };
  const reboot = (): void => {
    if (!restart) return;
    engine = MatchingEngine.restore(config, JSON.parse(JSON.stringify(engine.snapshot())));
    engine.pauseOnEvents(true);
  };
  for (const c of candles) {
    react(engine.processBar(c.time, c.open, c.high, c.low, c.close), c.time);
    while (engine.paused) {
      reboot();
      react(engine.resume(), c.time);
    }
    const r = strategy.decide(state, c, PERP);
    state = r.state;
    const ev: EngineEvent[] = [];
    for (const it of r.intents) ev.push(...engine.apply(it, c.time + STEP));
    react(ev, c.time + STEP);
  }
  return { fills, wallet: engine.balance, fundingEvents };
}

describe('a pausing engine with cross margin, in-candle funding and trailing stops reproduces the backtester', () => {
  const cases: Array<[string, Strategy<unknown, unknown>, unknown, number, string]> = [
    [
      'HYPERRSI 10x cross, trailing from TP1',
      hyperrsiStrategy as unknown as Strategy<unknown, unknown>,
      { leverage: 10, direction: 'both', use_trend_logic: false, use_trend_close: false, trailing_stop_active: true, trailing_start_point: 'tp1', rsi_oversold: 40, rsi_overbought: 60 },
      10,
      'trailing',
    ],
    ['GRID adaptive long-short 3x cross', gridStrategy as unknown as Strategy<unknown, unknown>, { direction: 'long-short', leverage: 3, useRegimeFilter: false }, 3, 'grid_tp'],
  ];
  it.each(cases)('%s', (_name, strategy, settings, leverage, exitSeen) => {
    const fills: Fill[] = [];
    const rec: Strategy<unknown, unknown> = { ...strategy, onFill: (s, f) => (fills.push(f), strategy.onFill(s, f)) };
    const r = runBacktest({ strategy: rec, settings, candles, market: PERP, timeframe: TF, leverage, marginMode: 'cross', funding, ...COSTS });
    // the scenario is about something: trades, trailing or grid exits, and funding charged inside candles
    expect(fills.length).toBeGreaterThan(10);
    expect(r.metrics.fundingPaid).not.toBe(0);
    expect(r.trades.some((t) => t.reason === exitSeen)).toBe(true);
    for (const restart of [false, true]) {
      const p = runPausing(strategy, settings, leverage, restart);
      expect(p.fills).toEqual(fills);
      expect(p.fundingEvents).toBeGreaterThan(0);
    }
  });
});
