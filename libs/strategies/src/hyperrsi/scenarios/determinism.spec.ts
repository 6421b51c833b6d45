import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/candle';
import type { Fill, MarketSpec, OrderClosedEvent, Strategy } from '../../core/contract';
import { parseHyperrsiSettings, type HyperrsiSettings } from '../hyperrsi.settings';
import type { HyperrsiState } from '../hyperrsi.state';
import { hyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: determinism and plain-JSON state with the DEFAULT settings (real trend_state calculator,
// DCA, TP ladder, trailing, cooldown) over BTC 1h 2024.
describe('scenario: determinism (BTC 1h, default settings)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = parseHyperrsiSettings({ investment: 300 });
  const run = () =>
    simulate({ strategy: hyperrsiStrategy, state: hyperrsiStrategy.init({ botId: 'det', settings, market: BTC_MARKET, timeframe: '1h' }), candles, market: BTC_MARKET });

  it('same inputs give byte-identical intents, fills and final state', () => {
    const a = run();
    const b = run();
    expect(a.fills.length).toBeGreaterThan(20);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
  });

  it('re-running any step on a copy of the state (incl. a JSON round trip) yields the same output', () => {
    const mismatches: string[] = [];
    let checks = 0;
    const same = (label: string, x: unknown, y: unknown) => {
      checks++;
      if (JSON.stringify(x) !== JSON.stringify(y)) mismatches.push(label);
    };
    const inner = hyperrsiStrategy;
    const checked: Strategy<HyperrsiSettings, HyperrsiState> = {
      ...inner,
      decide(st: HyperrsiState, c: Candle, m: MarketSpec) {
        // every 5th candle, and every candle while a position is open
        if (st.main === null && st.candles % 5 !== 0) return inner.decide(st, c, m);
        const json = JSON.parse(JSON.stringify(st)) as HyperrsiState;
        const copy = structuredClone(st);
        const r = inner.decide(st, c, m);
        same(`decide ${c.time} clone`, inner.decide(copy, c, m), r);
        same(`decide ${c.time} json`, inner.decide(json, c, m), r);
        return r;
      },
      onFill(st: HyperrsiState, f: Fill) {
        const copy = structuredClone(st);
        const r = inner.onFill(st, f);
        same(`fill ${f.key}`, inner.onFill(copy, f), r);
        return r;
      },
      onOrderClosed(st: HyperrsiState, e: OrderClosedEvent) {
        const copy = structuredClone(st);
        const r = inner.onOrderClosed(st, e);
        same(`closed ${e.key}`, inner.onOrderClosed(copy, e), r);
        return r;
      },
    };
    simulate({ strategy: checked, state: checked.init({ botId: 'det', settings, market: BTC_MARKET, timeframe: '1h' }), candles: candles.slice(0, 2500), market: BTC_MARKET });
    expect(checks).toBeGreaterThan(1000);
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('never reuses an order key, keeps the state bounded and free of NaN/Infinity', () => {
    const r = run();
    const keys = r.events.flatMap((e) => (e.kind === 'intent' && e.intent.action === 'place' ? [e.intent.key] : []));
    expect(new Set(keys).size).toBe(keys.length);
    const bad: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'number' && !Number.isFinite(v)) bad.push(path);
      else if (v === undefined) bad.push(path);
      else if (Array.isArray(v)) v.forEach((x, k) => walk(x, `${path}[${k}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(r.state, 'state');
    expect(bad).toEqual([]);
    expect(r.state.orders.length).toBeLessThanOrEqual(8);
    expect(JSON.stringify(r.state).length).toBeLessThan(20_000);
  });
});
