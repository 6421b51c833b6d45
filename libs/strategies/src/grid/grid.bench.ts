import type { Candle } from '../core/candle';
import type { MarketSpec } from '../core/contract';
import { gridStrategy } from './grid.strategy';

/**
 * GRID decision throughput: candles/s of `decide` over `n` deterministic synthetic 5m candles (a seeded
 * random walk around 30,000 with ~0.15% steps, generated outside the timed region), for both modes.
 * Decisions only: no fills happen (there is no matching engine in the loop), so the figure is the cost of
 * indicators + levels + order bookkeeping per closed candle, including adaptive repricing (cancel + new).
 */
export interface GridBenchRow {
  readonly mode: 'adaptive' | 'range';
  readonly candles: number;
  readonly seconds: number;
  readonly candlesPerSec: number;
  readonly intents: number;
  readonly stateBytes: number;
}

const MARKET: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

/** Deterministic candles (LCG-seeded random walk), 5m apart from 2024-01-01 UTC. */
export function syntheticCandles(n: number, seed = 42): Candle[] {
  let x = seed >>> 0;
  const rnd = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
  const out: Candle[] = new Array<Candle>(n);
  let price = 30_000;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = price;
    // mean-reverting walk keeps the price in a band for any n
    const drift = (30_000 - price) * 0.0005;
    const close = Math.max(1_000, open * (1 + (rnd() - 0.5) * 0.003) + drift);
    const high = Math.max(open, close) * (1 + rnd() * 0.001);
    const low = Math.min(open, close) * (1 - rnd() * 0.001);
    out[i] = { time: t0 + i * 300_000, open, high, low, close, volume: 1 + rnd() };
    price = close;
  }
  return out;
}

export function runGridDecisionBench(n = 1_000_000): GridBenchRow[] {
  const candles = syntheticCandles(n);
  const rows: GridBenchRow[] = [];
  const configs = [
    { mode: 'adaptive' as const, input: { mode: 'adaptive', direction: 'neutral', investment: 10_000, leverage: 2 } },
    {
      mode: 'range' as const,
      input: { mode: 'range', direction: 'neutral', lowerPrice: 27_000, upperPrice: 33_000, gridNum: 60, investment: 10_000, leverage: 2, maxOpenOrders: 20 },
    },
  ];
  for (const cfg of configs) {
    const settings = gridStrategy.parseSettings(cfg.input);
    let state = gridStrategy.init({ botId: 'bench', settings, market: MARKET, timeframe: '5m' });
    let intents = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = gridStrategy.decide(state, candles[i], MARKET);
      state = r.state;
      intents += r.intents.length;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rows.push({ mode: cfg.mode, candles: n, seconds, candlesPerSec: Math.round(n / seconds), intents, stateBytes: JSON.stringify(state).length });
  }
  return rows;
}
