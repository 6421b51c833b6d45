import { describe, expect, it } from 'vitest';
import type { MarketSpec } from '../../core/contract';
import { gridStrategy, type GridState } from '../grid.strategy';
import { eth5m } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: a full adaptive long-short run on ETH 5m (2,000 candles, with fills) — twice, and with the state
// round-tripped through JSON at every candle, as live mode persists it.
const ETH_PERP: MarketSpec = { symbol: 'ETH/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
const settings = gridStrategy.parseSettings({ mode: 'adaptive', direction: 'neutral', investment: 1_000, leverage: 3, maxOpenOrders: 8, stopLossPct: 15 });
const init = { botId: 'd', settings, market: ETH_PERP, timeframe: '5m' as const };
const candles = eth5m().slice(0, 2_000);

describe('determinism', () => {
  it('two runs give byte-identical intents, fills and state', () => {
    const a = simulate(gridStrategy, init, candles);
    const b = simulate(gridStrategy, init, candles);
    expect(a.fills.length).toBeGreaterThan(20);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
  });

  it('re-running decide on a copy of the same state and candle gives identical intents and state', () => {
    const snaps: GridState[] = [];
    simulate(gridStrategy, init, candles.slice(0, 600), { afterDecide: (k, _c, s) => { if (k % 50 === 0) snaps.push(structuredClone(s)); } });
    for (const s of snaps) {
      const next = candles[(s.lastCandleTime as number - candles[0].time) / 300_000 + 1];
      const r1 = gridStrategy.decide(structuredClone(s), next, ETH_PERP);
      const r2 = gridStrategy.decide(structuredClone(s), next, ETH_PERP);
      expect(JSON.stringify(r2)).toBe(JSON.stringify(r1));
    }
  });

  it('state is plain JSON: a run whose state is serialised and parsed at every step matches the live run', () => {
    const live = simulate(gridStrategy, init, candles);
    const viaJson = simulate(
      {
        ...gridStrategy,
        decide: (s, c, m) => gridStrategy.decide(JSON.parse(JSON.stringify(s)) as GridState, c, m),
        onFill: (s, f) => gridStrategy.onFill(JSON.parse(JSON.stringify(s)) as GridState, f),
      },
      init,
      candles,
    );
    expect(JSON.stringify(viaJson.events)).toBe(JSON.stringify(live.events));
    expect(JSON.stringify(viaJson.state)).toBe(JSON.stringify(live.state));
    expect(JSON.stringify(live.state)).not.toMatch(/null,null,null,null,null/);
    expect(JSON.stringify(live.state).length).toBeLessThan(40_000);
  });
});
