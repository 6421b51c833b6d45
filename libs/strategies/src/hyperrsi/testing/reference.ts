import type { Candle } from '../../core/candle';
import type { MarketSpec } from '../../core/contract';
import { readCandlesCsv } from '../../../../../test/support/candles';
import { parseHyperrsiSettings, type HyperrsiSettings } from '../hyperrsi.settings';
import type { HyperrsiTrendSource } from '../hyperrsi.strategy';
import type { TrendValue } from '../hyperrsi.state';

/*
 * Test-only reference material for the HYPERRSI scenarios: fixtures, market specs, and INDEPENDENT batch
 * re-implementations of the indicators written straight from docs/strategy-rules.md §5.1 (array
 * formulas, not the streaming code under test).
 */

export const BTC_1H_FILE = 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv';
export const ETH_5M_FILE = 'test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv';

const cache = new Map<string, Candle[]>();
export function loadCandles(file: string): Candle[] {
  let c = cache.get(file);
  if (!c) {
    c = readCandlesCsv(file);
    cache.set(file, c);
  }
  return c;
}

export const BTC_MARKET: MarketSpec = {
  symbol: 'BTC/USDT:USDT',
  type: 'perp',
  tickSize: 0.1,
  amountStep: 0.001,
  minAmount: 0.001,
  minNotional: 5,
};

export const ETH_MARKET: MarketSpec = {
  symbol: 'ETH/USDT:USDT',
  type: 'perp',
  tickSize: 0.01,
  amountStep: 0.01,
  minAmount: 0.01,
  minNotional: 5,
};

/** Settings with the filters that would hide what a scenario looks at switched off, plus overrides. */
export function scenarioSettings(overrides: Record<string, unknown>): HyperrsiSettings {
  return parseHyperrsiSettings({
    use_trend_logic: false,
    use_trend_close: false,
    use_cooldown: false,
    ...overrides,
  });
}

/**
 * RSI per §5.1: deltas padded with a leading 0; avg[p] = mean(x[0..p-1]) (the padded 0 included);
 * avg[i] = (avg[i-1]*(p-1) + x[i]) / p for i > p; rsi = 100 - 100/(1 + g/max(l, 1e-10)); null before p.
 */
export function referenceRsi(closes: readonly number[], p: number): (number | null)[] {
  const n = closes.length;
  const delta = closes.map((c, i) => (i === 0 ? 0 : c - closes[i - 1]));
  const gain = delta.map((d) => Math.max(d, 0));
  const loss = delta.map((d) => Math.max(-d, 0));
  const out: (number | null)[] = new Array(n).fill(null);
  if (n <= p) return out;
  let g = gain.slice(0, p).reduce((a, b) => a + b, 0) / p;
  let l = loss.slice(0, p).reduce((a, b) => a + b, 0) / p;
  out[p] = 100 - 100 / (1 + g / Math.max(l, 1e-10));
  for (let i = p + 1; i < n; i++) {
    g = (g * (p - 1) + gain[i]) / p;
    l = (l * (p - 1) + loss[i]) / p;
    out[i] = 100 - 100 / (1 + g / Math.max(l, 1e-10));
  }
  return out;
}

/** ATR per §5.1: TR[0] = h-l; running SMA of TR for i < len; then Wilder (prev*(len-1)+tr)/len. */
export function referenceAtr(candles: readonly Candle[], len = 14): number[] {
  const tr = candles.map((c, i) =>
    i === 0 ? c.high - c.low : Math.max(c.high - c.low, Math.abs(c.high - candles[i - 1].close), Math.abs(c.low - candles[i - 1].close)),
  );
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < tr.length; i++) {
    if (i < len) {
      sum += tr[i];
      out.push(sum / (i + 1));
    } else out.push((out[i - 1] * (len - 1) + tr[i]) / len);
  }
  return out;
}

/** A trend source that replays a scripted trend_state per candle open time (tests only). */
export function scriptedTrend(valueAt: (time: number) => TrendValue | null): HyperrsiTrendSource {
  return {
    create: () => ({}),
    update: (_state, candle) => valueAt(candle.time),
  };
}

/** Floor to a step the way an exchange truncates (independent of core/precision). */
export function floorTo(x: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Number((Math.floor(x / step + 1e-9) * step).toFixed(decimals));
}

export function roundTo(x: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Number((Math.round(x / step) * step).toFixed(decimals));
}
