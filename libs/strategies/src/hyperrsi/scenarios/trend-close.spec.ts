import { describe, expect, it } from 'vitest';
import type { TrendValue } from '../hyperrsi.state';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, scenarioSettings, scriptedTrend } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: trend close (use_trend_close, §2.3) on BTC 1h 2024, both directions, with an injected trend:
// an open long is closed at trend -2 and an open short at +2 — 100%, market, reduce-only — after its resting
// TP/SL orders are cancelled; nothing is closed at 0. (The entry filter is off so entries keep coming.)
describe('scenario: trend close (BTC 1h, injected trend)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const t0 = candles[0].time;
  const trendAt = (i: number): TrendValue => (Math.floor(i / 60) % 7 === 3 ? -2 : Math.floor(i / 60) % 7 === 6 ? 2 : 0);
  const settings = scenarioSettings({
    investment: 500,
    entry_option: 'cross_into',
    direction: 'both',
    use_trend_logic: false,
    use_trend_close: true,
    use_sl: true,
    tp1_value: 5,
    tp2_value: 7,
    tp3_value: 9,
  });
  const strategy = createHyperrsiStrategy({ trend: scriptedTrend((time) => trendAt((time - t0) / 3_600_000)) });
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });

  const expectedCloses: string[] = [];
  const actualCloses: string[] = [];
  const cancelProblems: string[] = [];
  const pos = { long: 0, short: 0 };
  const resting = new Set<string>();
  let cursor = 0;
  let closing = false;
  let closeFills = 0;
  const notFlat: string[] = [];
  const run = simulate({
    strategy,
    state,
    candles,
    market: BTC_MARKET,
    afterDecide: (i, res, events) => {
      for (; cursor < events.length; cursor++) {
        const e = events[cursor];
        if (e.kind === 'intent' && e.intent.action === 'place' && e.intent.type !== 'market') resting.add(e.intent.key);
        if (e.kind === 'intent' && e.intent.action === 'cancel') resting.delete(e.intent.key);
        if (e.kind === 'closed') resting.delete(e.event.key);
        if (e.kind === 'fill') {
          const f = e.fill;
          resting.delete(f.key);
          pos[f.positionSide] = Number((pos[f.positionSide] + (f.tag === 'entry' || f.tag === 'dca' ? f.amount : -f.amount)).toFixed(6));
          if (f.tag === 'trend_close') {
            closing = false;
            closeFills++;
            if (pos[f.positionSide] !== 0) notFlat.push(`${e.i}: ${pos[f.positionSide]} left`);
          }
        }
      }
      const side = pos.long > 0 ? 'long' : pos.short > 0 ? 'short' : null;
      if (side && !closing && trendAt(i) === (side === 'long' ? -2 : 2)) expectedCloses.push(`${i}:${side}:${pos[side]}`);
      const close = res.intents.find((x) => x.action === 'place' && x.tag === 'trend_close');
      if (close && close.action === 'place') {
        closing = true;
        actualCloses.push(`${i}:${close.positionSide}:${close.amount}`);
        expect(close).toMatchObject({ type: 'market', reduceOnly: true, side: close.positionSide === 'long' ? 'sell' : 'buy' });
        const cancelled = new Set(res.intents.filter((x) => x.action === 'cancel').map((x) => x.key));
        for (const k of resting) if (!cancelled.has(k)) cancelProblems.push(`${i}: ${k} left resting`);
      }
    },
  });

  it('closes every open position at the opposite extreme trend, and only then', () => {
    expect(expectedCloses.some((c) => c.includes(':long:'))).toBe(true);
    expect(expectedCloses.some((c) => c.includes(':short:'))).toBe(true);
    expect(actualCloses).toEqual(expectedCloses);
  });

  it('cancels all resting TP/SL orders of the position with the close', () => {
    expect(cancelProblems).toEqual([]);
  });

  it('is flat after each close fill', () => {
    expect(closeFills).toBeGreaterThan(3);
    expect(notFlat).toEqual([]);
    expect(run.state.main === null || run.state.main.size > 0).toBe(true);
  });
});
