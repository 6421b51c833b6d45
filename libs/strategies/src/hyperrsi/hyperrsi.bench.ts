import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Candle } from '../core/candle';
import type { Fill, Intent, MarketSpec, OrderIntent } from '../core/contract';
import { parseHyperrsiSettings } from './hyperrsi.settings';
import { hyperrsiStrategy } from './hyperrsi.strategy';

/*
 * Decision-pass benchmark for HYPERRSI (wired into `npm run bench` by the bench runner).
 *
 * Candles: the committed BTC/USDT 1h 2024 fixture, repeated until `n` candles, each repetition rescaled so
 * the series stays continuous (deterministic; no randomness). The timed loop runs `decide` on every candle
 * and feeds fills back through `onFill` with a minimal inline fill rule (market at the next open, resting
 * limit/stop when the candle's range reaches them) so DCA, TP, break-even and trailing paths are exercised.
 */

const FIXTURE = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'candles', 'binance_BTC-USDT_1h_2024.csv');

const MARKET: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

function readFixture(): Candle[] {
  const lines = readFileSync(FIXTURE, 'utf8').split(/\r?\n/);
  const out: Candle[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const [t, o, h, l, c, v] = lines[i].split(',').map(Number);
    out.push({ time: t, open: o, high: h, low: l, close: c, volume: v });
  }
  return out;
}

/**
 * `n` continuous hourly candles synthesised from the fixture: the year played forward, then backward in
 * time (open and close swapped), and so on, so prices stay in the fixture's range and the series has no gaps.
 */
export function synthesiseCandles(n: number): Candle[] {
  const base = readFixture();
  const len = base.length;
  const out: Candle[] = new Array(n);
  const hour = 3_600_000;
  const t0 = base[0].time;
  for (let i = 0; i < n; i++) {
    const cycle = Math.floor(i / len);
    const k = i % len;
    const b = cycle % 2 === 0 ? base[k] : base[len - 1 - k];
    const forward = cycle % 2 === 0;
    out[i] = {
      time: t0 + i * hour,
      open: forward ? b.open : b.close,
      high: b.high,
      low: b.low,
      close: forward ? b.close : b.open,
      volume: b.volume,
    };
  }
  return out;
}

export interface HyperrsiBenchResult {
  readonly name: string;
  readonly candles: number;
  readonly seconds: number;
  readonly candlesPerSecond: number;
  readonly intents: number;
  readonly fills: number;
  readonly stateBytes: number;
  /** placed intents per tag */
  readonly tags: Record<string, number>;
}

interface Resting {
  intent: OrderIntent;
  level: number;
  up: boolean;
}

function runOnce(name: string, candles: readonly Candle[], settingsInput: Record<string, unknown>): HyperrsiBenchResult {
  const settings = parseHyperrsiSettings(settingsInput);
  let state = hyperrsiStrategy.init({ botId: 'bench', settings, market: MARKET, timeframe: '1h' });
  const markets: OrderIntent[] = [];
  let resting: Resting[] = [];
  const pos = { long: 0, short: 0 };
  let intents = 0;
  let fills = 0;
  const tags: Record<string, number> = {};

  const take = (list: readonly Intent[]): void => {
    for (let j = 0; j < list.length; j++) {
      const it = list[j];
      intents++;
      if (it.action === 'place') tags[it.tag] = (tags[it.tag] ?? 0) + 1;
      if (it.action === 'cancel') {
        resting = resting.filter((r) => r.intent.key !== it.key);
      } else if (it.type === 'market') markets.push(it);
      else {
        const level = it.type === 'limit' ? it.price! : it.triggerPrice!;
        // sell limit / buy stop fire on the way up; buy limit / sell stop on the way down
        resting.push({ intent: it, level, up: (it.type === 'limit') === (it.side === 'sell') });
      }
    }
  };
  const fill = (it: OrderIntent, price: number, time: number): void => {
    let amount = it.amount;
    if (it.reduceOnly) amount = Math.min(amount, pos[it.positionSide]);
    if (!(amount > 0)) return;
    pos[it.positionSide] += it.reduceOnly ? -amount : amount;
    fills++;
    const f: Fill = { key: it.key, side: it.side, positionSide: it.positionSide, amount, price, fee: 0, time, tag: it.tag, remaining: 0 };
    const r = hyperrsiStrategy.onFill(state, f);
    state = r.state;
    if (r.intents.length > 0) take(r.intents);
  };

  const start = process.hrtime.bigint();
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i];
    if (markets.length > 0) {
      const q = markets.splice(0, markets.length);
      for (const it of q) fill(it, c.open, c.time);
    }
    let anyHit = false;
    for (let j = 0; j < resting.length; j++) {
      const r = resting[j];
      if (r.up ? c.high >= r.level : c.low <= r.level) {
        anyHit = true;
        break;
      }
    }
    if (anyHit) {
      const hit = resting.filter((r) => (r.up ? c.high >= r.level : c.low <= r.level));
      resting = resting.filter((r) => !hit.includes(r));
      for (const r of hit) fill(r.intent, r.level, c.time + 1);
    }
    const res = hyperrsiStrategy.decide(state, c, MARKET);
    state = res.state;
    if (res.intents.length > 0) take(res.intents);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    name,
    candles: candles.length,
    seconds,
    candlesPerSecond: Math.round(candles.length / seconds),
    intents,
    fills,
    stateBytes: JSON.stringify(state).length,
    tags,
  };
}

function bestOf(repeats: number, f: () => HyperrsiBenchResult): HyperrsiBenchResult {
  let best = f();
  for (let r = 1; r < repeats; r++) {
    const x = f();
    if (x.seconds < best.seconds) best = x;
  }
  return best;
}

/**
 * Runs the HYPERRSI decision pass over `n` synthesised candles (default 1,000,000), best of `repeats`:
 * once with the default settings (the trend_state calculator runs on every candle) and once with the trend
 * filter and trend close off (HYPERRSI's own logic: RSI, ATR, signals, DCA, TP/SL/trailing management).
 */
export function runHyperrsiDecisionBench(n = 1_000_000, repeats = 3): HyperrsiBenchResult[] {
  const candles = synthesiseCandles(n);
  // warm-up (JIT), not timed
  runOnce('warmup', candles.slice(0, 50_000), {});
  runOnce('warmup', candles.slice(0, 50_000), { use_trend_logic: false, use_trend_close: false });
  return [
    bestOf(repeats, () => runOnce('hyperrsi decide+fills, default settings (trend on)', candles, {})),
    bestOf(repeats, () => runOnce('hyperrsi decide+fills, trend off', candles, { use_trend_logic: false, use_trend_close: false })),
  ];
}
