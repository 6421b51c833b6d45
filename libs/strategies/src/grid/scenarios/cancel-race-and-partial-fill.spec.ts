import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/candle';
import type { Fill, OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_PERP, btc1h, floorTo } from '../testing/fixtures';

// Scenario: what the exchange does between our decisions — a cancelled order that fills anyway, and an
// entry cancelled after a partial fill. Neutral grid 40,000..45,000 / 10 on the BTC perpetual, maxOpenOrders 3.
const settings = gridStrategy.parseSettings({ mode: 'range', direction: 'neutral', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000, leverage: 2, maxOpenOrders: 3 });
const c0 = btc1h()[0];
const c1: Candle = { time: c0.time + 3_600_000, open: 42_475, high: 42_480, low: 41_880, close: 41_900, volume: 1 };

function start() {
  const state = gridStrategy.init({ botId: 'c', settings, market: BTC_PERP, timeframe: '1h' });
  const first = gridStrategy.decide(state, c0, BTC_PERP).intents as OrderIntent[];
  return { state, first };
}

describe('cancel races and partial fills', () => {
  it('a cancelled order that fills anyway is adopted by its level and gets its take-profit', () => {
    const { state, first } = start();
    const sell43k = first.find((i) => i.price === 43_000) as OrderIntent;
    const r1 = gridStrategy.decide(state, c1, BTC_PERP);
    // close 41,900: nearest are 42,000 (live buy), 41,500 (new buy), 42,500 (live sell) → 43,000 is cancelled
    expect(r1.intents.filter((i) => i.action === 'cancel').map((i) => i.key)).toEqual([sell43k.key]);
    expect((r1.intents.filter((i) => i.action === 'place') as OrderIntent[]).map((i) => i.price)).toEqual([41_500]);
    const fill: Fill = { key: sell43k.key, side: 'sell', positionSide: 'short', amount: sell43k.amount, price: 43_000, fee: 0.1, time: c1.time + 1, tag: 'grid_open', remaining: 0 };
    const r2 = gridStrategy.onFill(r1.state, fill);
    expect(r2.intents).toEqual([
      { action: 'place', key: `${sell43k.key}>tp:6`, type: 'limit', side: 'buy', positionSide: 'short', amount: sell43k.amount, price: 42_500, reduceOnly: true, tag: 'grid_tp' },
    ]);
    expect(r2.state.short).toEqual({ qty: sell43k.amount, avg: 43_000 });
    expect(r2.state.slots.find((s) => s.j === 6)?.st).toBe('closing_order');
    expect(r2.state.metrics.unmanagedFills).toBe(0);
  });

  it('an entry cancelled after a partial fill closes the filled part with a take-profit for that amount', () => {
    const { state, first } = start();
    const buy42k = first.find((i) => i.price === 42_000) as OrderIntent;
    expect(buy42k.amount).toBe(floorTo(200 / 42_000, 3));
    const part = 0.002;
    let r = gridStrategy.onFill(state, { key: buy42k.key, side: 'buy', positionSide: 'long', amount: part, price: 42_000, fee: 0.05, time: 5, tag: 'grid_open', remaining: buy42k.amount - part });
    expect(r.intents).toEqual([]);
    expect(r.state.slots.find((s) => s.j === 4)?.st).toBe('open_order');
    r = gridStrategy.onOrderClosed(r.state, { key: buy42k.key, status: 'canceled', time: 6 });
    expect(r.intents).toEqual([
      { action: 'place', key: `${buy42k.key}>tp:4`, type: 'limit', side: 'sell', positionSide: 'long', amount: part, price: 42_500, reduceOnly: true, tag: 'grid_tp' },
    ]);
    expect(r.state.slots.find((s) => s.j === 4)?.st).toBe('closing_order');
  });

  it('a rejected entry is retried on later candles, at most 3 times, and the reason is kept', () => {
    const { state, first } = start();
    const buy = first.find((i) => i.price === 42_000) as OrderIntent;
    let r = gridStrategy.onOrderClosed(state, { key: buy.key, status: 'rejected', reason: 'insufficient margin', time: 1 });
    let key = buy.key;
    let t = c0.time;
    for (let n = 1; n < 3; n++) {
      t += 3_600_000;
      r = gridStrategy.decide(r.state, { ...c0, time: t }, BTC_PERP);
      const again = (r.intents as OrderIntent[]).find((i) => i.action === 'place' && i.price === 42_000) as OrderIntent;
      expect(again.key).toBe(`c:${t}:open:4`);
      key = again.key;
      r = gridStrategy.onOrderClosed(r.state, { key, status: 'rejected', reason: 'insufficient margin', time: t });
    }
    r = gridStrategy.decide(r.state, { ...c0, time: t + 3_600_000 }, BTC_PERP);
    expect((r.intents as OrderIntent[]).some((i) => i.action === 'place' && i.price === 42_000)).toBe(false);
    expect(r.state.slots.find((s) => s.j === 4)).toMatchObject({ st: 'idle', rejects: 3, note: 'rejected: insufficient margin' });
  });
});
