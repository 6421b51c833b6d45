import { describe, expect, it } from 'vitest';
import type { Fill, Intent, OrderIntent } from '../../core/contract';
import type { HyperrsiState } from '../hyperrsi.state';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, roundTo, scenarioSettings } from '../testing/reference';

// Scenario: the strategy learns its position only from fills, including partial ones (Fill.remaining), and
// from orders that end unfilled (onOrderClosed). BTC 1h 2024, long, SL 5%, default TP ladder.
describe('scenario: partial fills and closed orders (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({ investment: 1000, direction: 'long', use_sl: true, pyramiding_limit: 1 });
  const strategy = createHyperrsiStrategy();

  /** Decides candle by candle until the first entry intent; returns the state, the intent and the bar. */
  const untilEntry = (): { st: HyperrsiState; entry: OrderIntent; bar: number } => {
    let st = strategy.init({ botId: 'p', settings, market: BTC_MARKET, timeframe: '1h' });
    for (let i = 0; i < candles.length; i++) {
      const r = strategy.decide(st, candles[i], BTC_MARKET);
      st = r.state;
      const entry = r.intents.find((x): x is OrderIntent => x.action === 'place' && x.tag === 'entry');
      if (entry) return { st, entry, bar: i };
    }
    throw new Error('no entry');
  };
  const fillOf = (o: OrderIntent, amount: number, price: number, remaining: number, time: number): Fill => ({
    key: o.key,
    side: o.side,
    positionSide: o.positionSide,
    amount,
    price,
    fee: 0,
    time,
    tag: o.tag,
    remaining,
  });
  const places = (xs: Intent[]) => xs.filter((x): x is OrderIntent => x.action === 'place');

  it('builds TP/SL only once the entry is complete, from the weighted average of its partial fills', () => {
    const start = untilEntry();
    const { entry, bar } = start;
    let st = start.st;
    const A = entry.amount;
    const a1 = floorTo(A * 0.4, 0.001);
    const a2 = Number((A - a1).toFixed(3));
    const p1 = candles[bar + 1].open;
    const p2 = p1 + 25;
    const t = candles[bar + 1].time;
    let r = strategy.onFill(st, fillOf(entry, a1, p1, a2, t));
    st = r.state;
    expect(r.intents).toEqual([]);
    expect(st.main!.size).toBe(a1);
    expect(st.pendingKey).toBe(entry.key);

    r = strategy.onFill(st, fillOf(entry, a2, p2, 0, t + 1000));
    st = r.state;
    const avg = (a1 * p1 + a2 * p2) / A;
    expect(st.main!.avgPrice).toBeCloseTo(avg, 8);
    expect(st.pendingKey).toBeNull();
    const tp1 = floorTo(A * 0.3, 0.001);
    const tp2 = floorTo(A * 0.3, 0.001);
    expect(places(r.intents)).toEqual([
      expect.objectContaining({ key: `${entry.key}>tp1:0`, type: 'limit', side: 'sell', reduceOnly: true, amount: tp1, price: roundTo(avg * 1.02, 0.1) }),
      expect.objectContaining({ key: `${entry.key}>tp2:1`, amount: tp2, price: roundTo(avg * 1.03, 0.1) }),
      // the last TP takes the remainder (trailing starts at tp3, so nothing is left over)
      expect.objectContaining({ key: `${entry.key}>tp3:2`, amount: Number((A - tp1 - tp2).toFixed(3)), price: roundTo(avg * 1.04, 0.1) }),
      // SL from the average entry (sl_reference 'average', docs/adr/0012-stop-loss-after-dca.md)
      expect.objectContaining({ key: `${entry.key}>sl:3`, type: 'stop_market', triggerPrice: roundTo(avg * 0.95, 0.1), amount: A }),
    ]);

    // TP1 fills in two parts: break-even only when it is complete
    const tp1Intent = places(r.intents)[0];
    const half = floorTo(tp1 / 2, 0.001);
    r = strategy.onFill(st, fillOf(tp1Intent, half, tp1Intent.price!, Number((tp1 - half).toFixed(3)), t + 5000));
    st = r.state;
    expect(r.intents).toEqual([]);
    expect(st.main!.size).toBe(Number((A - half).toFixed(3)));
    r = strategy.onFill(st, fillOf(tp1Intent, Number((tp1 - half).toFixed(3)), tp1Intent.price!, 0, t + 6000));
    st = r.state;
    expect(r.intents).toEqual([
      { action: 'cancel', key: `${entry.key}>sl:3`, reason: 'break-even after tp1' },
      expect.objectContaining({ key: `${tp1Intent.key}>break_even:0`, tag: 'break_even', type: 'stop_market', triggerPrice: roundTo(avg, 0.1), amount: Number((A - tp1).toFixed(3)) }),
    ]);
  });

  it('an entry cancelled after a partial fill keeps the filled part and protects it', () => {
    const start = untilEntry();
    const { entry, bar } = start;
    let st = start.st;
    const part = floorTo(entry.amount / 4, 0.001);
    st = strategy.onFill(st, fillOf(entry, part, candles[bar + 1].open, entry.amount - part, candles[bar + 1].time)).state;
    const r = strategy.onOrderClosed(st, { key: entry.key, status: 'canceled', time: candles[bar + 1].time + 1 });
    expect(r.state.main).toMatchObject({ size: part, entries: 1 });
    expect(r.state.pendingKey).toBeNull();
    expect(places(r.intents).map((x) => x.key)).toEqual([`${entry.key}>tp1:0`, `${entry.key}>tp2:1`, `${entry.key}>tp3:2`, `${entry.key}>sl:3`]);
    expect(places(r.intents).reduce((s, x) => s + (x.tag.startsWith('tp') ? x.amount : 0), 0)).toBeCloseTo(part, 9);
  });

  it('counts rejected entries and resets the count on a successful one', () => {
    const start = untilEntry();
    const { entry, bar } = start;
    let st = start.st;
    st = strategy.onOrderClosed(st, { key: entry.key, status: 'rejected', reason: 'insufficient margin', time: 1 }).state;
    expect(st.entryFailCount).toBe(1);
    expect(st.pendingKey).toBeNull();
    expect(st.lastSkip).toBe('entry_rejected');
    // the next signal's entry fills: the consecutive-failure count starts again
    let next: OrderIntent | undefined;
    for (let i = bar + 1; i < candles.length && !next; i++) {
      const r = strategy.decide(st, candles[i], BTC_MARKET);
      st = r.state;
      next = r.intents.find((x): x is OrderIntent => x.action === 'place' && x.tag === 'entry');
      if (next) {
        st = strategy.onFill(st, fillOf(next, next.amount, candles[i + 1].open, 0, candles[i + 1].time)).state;
      }
    }
    expect(next).toBeDefined();
    expect(st.entryFailCount).toBe(0);
    expect(st.main!.size).toBe(next!.amount);
  });
});
