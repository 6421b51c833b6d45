import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { trailingOffset } from '../hyperrsi.math';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, roundTo, scenarioSettings } from '../testing/reference';
import { simulate, type SimEvent } from '../testing/simulate';

// Scenario: the full exit ladder on BTC 1h 2024, long only, no DCA, 1000 USDT x 10:
//   TP1 (+0.5%, 30%) fills -> break-even: stop to the average entry (§2.8)
//   TP2 (+1.0%, 30%) fills -> trailing starts (trailing_start_point tp2; TP3 is therefore never placed, §2.6),
//                             offset 0.3% of the TP2 fill price; tighter than the TP2 break-even (TP1 price)
//   every later closed candle raises the stop from its high; the trailing stop closes the last 40%.
describe('scenario: TP1 -> break-even -> TP2 -> trailing exit (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({
    investment: 1000,
    direction: 'long',
    pyramiding_limit: 1,
    tp1_value: 0.5,
    tp2_value: 1.0,
    tp3_value: 3.0,
    trailing_stop_active: true,
    trailing_start_point: 'tp2',
    trailing_stop_offset_value: 0.3,
  });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET });
  const ev = run.events;

  // find the first position whose exits are tp1, tp2, trailing (in that order)
  const entryFills = ev.map((e, idx) => ({ e, idx })).filter((x) => x.e.kind === 'fill' && x.e.fill.tag === 'entry');
  let window: SimEvent[] = [];
  for (const { idx } of entryFills) {
    const rest = ev.slice(idx);
    const end = rest.findIndex((e, k) => k > 0 && e.kind === 'fill' && e.fill.tag === 'entry');
    const w = end < 0 ? rest : rest.slice(0, end);
    const exits = w.filter((e) => e.kind === 'fill' && e.fill.tag !== 'entry').map((e) => (e.kind === 'fill' ? e.fill.tag : ''));
    if (exits.join(',') === 'tp1,tp2,trailing') {
      window = w;
      break;
    }
  }
  const fillOf = (tag: string) => window.find((e) => e.kind === 'fill' && e.fill.tag === tag) as Extract<SimEvent, { kind: 'fill' }>;
  const placedBy = (key: string) =>
    window.filter((e) => e.kind === 'intent' && e.intent.action === 'place' && e.intent.key.startsWith(`${key}>`) && !e.intent.key.slice(key.length + 1).includes('>')).map((e) => (e as { intent: OrderIntent }).intent);

  it('finds such a position in the data', () => {
    expect(window.length).toBeGreaterThan(0);
  });

  const entry = () => fillOf('entry').fill;
  const tp1 = () => fillOf('tp1').fill;
  const tp2 = () => fillOf('tp2').fill;

  it('places TP1 and TP2 only (trailing starts at TP2), as reduce-only limits from the average price', () => {
    const e = entry();
    const avg = e.price;
    const placed = placedBy(e.key);
    expect(placed.map((p) => p.tag)).toEqual(['tp1', 'tp2']);
    expect(placed[0]).toMatchObject({ type: 'limit', side: 'sell', reduceOnly: true, price: roundTo(avg * 1.005, 0.1), amount: floorTo(e.amount * 0.3, 0.001) });
    expect(placed[1]).toMatchObject({ type: 'limit', side: 'sell', reduceOnly: true, price: roundTo(avg * 1.01, 0.1), amount: floorTo(e.amount * 0.3, 0.001) });
  });

  it('moves the stop to the average entry price when TP1 fills (break-even)', () => {
    const placed = placedBy(tp1().key);
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({
      key: `${tp1().key}>break_even:0`,
      tag: 'break_even',
      type: 'stop_market',
      side: 'sell',
      reduceOnly: true,
      triggerPrice: roundTo(entry().price, 0.1),
      amount: Number((entry().amount - tp1().amount).toFixed(3)),
    });
  });

  it('starts the trailing stop at TP2: cancels the break-even stop, trails 0.3% below the TP2 fill', () => {
    const key = tp2().key;
    const cancels = window.filter((e) => e.kind === 'intent' && e.intent.action === 'cancel' && e.source === 'fill' && e.i === fillOf('tp2').i);
    expect(cancels.map((c) => (c as { intent: { key: string } }).intent.key)).toContain(`${tp1().key}>break_even:0`);
    const placed = placedBy(key);
    expect(placed).toHaveLength(1);
    const offset = tp2().price * 0.003;
    // the offset travels with the order: the exchange / matching engine trails it inside the candle
    expect(placed[0]).toMatchObject({ tag: 'trailing', type: 'stop_market', triggerPrice: roundTo(tp2().price - offset, 0.1) });
    expect(placed[0].trailingOffset).toBeCloseTo(offset, 9);
    // tighter than the TP2 break-even (which would be the TP1 price)
    expect(placed[0].triggerPrice!).toBeGreaterThan(tp1().price);
  });

  it('computes the offset as price x offset% or |TP3 - TP2|, never below 0.1% of the price', () => {
    expect(trailingOffset(settings, 50_000, 50_500, 51_500)).toBeCloseTo(150, 9);
    const diff = scenarioSettings({ use_trailing_stop_value_with_tp2_tp3_difference: true });
    expect(trailingOffset(diff, 50_000, 50_500, 51_500)).toBe(1000);
    expect(trailingOffset(diff, 50_000, 50_500, 50_510)).toBe(50);
    expect(trailingOffset(scenarioSettings({ trailing_stop_offset_value: 0.01 }), 50_000, null, null)).toBe(50);
  });

  it('raises the stop from each closed candle high and closes the rest at the trailing stop', () => {
    const start = fillOf('tp2');
    const offset = start.fill.price * 0.003;
    let extreme = start.fill.price;
    let stop = roundTo(extreme - offset, 0.1);
    const exit = fillOf('trailing');
    const expectedMoves: { i: number; trigger: number }[] = [];
    for (let i = start.i; i < exit.i; i++) {
      if (candles[i].high > extreme) {
        extreme = candles[i].high;
        const s = roundTo(extreme - offset, 0.1);
        if (s > stop) {
          stop = s;
          expectedMoves.push({ i, trigger: s });
        }
      }
    }
    const moves = window
      .filter((e) => e.kind === 'intent' && e.source === 'decide' && e.intent.action === 'place' && e.intent.tag === 'trailing')
      .map((e) => ({ i: (e as { i: number }).i, trigger: (e as { intent: OrderIntent }).intent.triggerPrice! }));
    expect(moves).toEqual(expectedMoves);
    expect(expectedMoves.length).toBeGreaterThan(0);
    // the exit fills at the last stop (or better-gapped open) for the remaining 40%
    expect(exit.fill.price).toBeLessThanOrEqual(stop);
    expect(exit.fill.amount).toBeCloseTo(entry().amount - tp1().amount - tp2().amount, 9);
    expect(exit.fill.price).toBeGreaterThan(entry().price);
  });
});
