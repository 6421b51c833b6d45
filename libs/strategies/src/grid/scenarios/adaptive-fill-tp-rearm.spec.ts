import { describe, expect, it } from 'vitest';
import type { Fill, MarketSpec, OrderIntent } from '../../core/contract';
import { gridStrategy, type GridState } from '../grid.strategy';
import { ceilTo, eth5m, floorTo } from '../testing/fixtures';

// Scenario: adaptive long-short grid on an ETH perpetual (5m, January 2021). After warm-up we fill the
// nearest buy and the nearest sell by hand and check the original's take-profit clamps and re-arms (§3.5), and
// the netting of long-short: once a leg fills, the other leg's entries are cancelled (docs/adr/0015).
// Every level is armed here (nearestLevels: null) so that the levels next to the filled one carry orders.
const ETH_PERP: MarketSpec = { symbol: 'ETH/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

function warm(): { state: GridState; placed: OrderIntent[]; t: number } {
  const settings = gridStrategy.parseSettings({ mode: 'adaptive', direction: 'neutral', gridNum: 20, investment: 1_000, leverage: 2, useRegimeFilter: false, nearestLevels: null });
  let state = gridStrategy.init({ botId: 'x', settings, market: ETH_PERP, timeframe: '5m' });
  const candles = eth5m().slice(0, 60);
  let placed: OrderIntent[] = [];
  for (const c of candles) {
    const r = gridStrategy.decide(state, c, ETH_PERP);
    state = r.state;
    if (r.intents.length && placed.length === 0) placed = r.intents as OrderIntent[];
  }
  return { state, placed, t: candles[59].time };
}

const fillOf = (o: OrderIntent, time: number): Fill => ({
  key: o.key, side: o.side, positionSide: o.positionSide, amount: o.amount, price: o.price as number, fee: 0.01, time, tag: o.tag, remaining: 0,
});

describe('adaptive grid: take-profit clamps and re-arm on fill', () => {
  it('long fill: TP at min(max(fill·1.004, level[j+1]), fill·1.08) and a re-arm buy at min(level[j−1], fill·0.995)', () => {
    const { state } = warm();
    const open = state.slots.filter((s) => s.st === 'open_order' && s.leg === 'long').sort((a, b) => b.j - a.j);
    const top = open[0];
    const below = state.slots.find((s) => s.j === top.j - 1);
    expect(below?.st).toBe('open_order');
    // the exchange cancelled the level below: it is idle when the fill arrives
    let r = gridStrategy.onOrderClosed(state, { key: below?.openKey as string, status: 'canceled', time: 1 });
    expect(below?.st).toBe('idle');
    const ladder = [...r.state.ladder];
    const order: OrderIntent = { action: 'place', key: top.openKey as string, type: 'limit', side: 'buy', positionSide: 'long', amount: top.openAmount, price: top.openPrice, reduceOnly: false, tag: 'grid_open' };
    const shortsResting = r.state.slots.filter((s) => s.st === 'open_order' && s.leg === 'short').map((s) => s.openKey);
    expect(shortsResting.length).toBeGreaterThan(0);
    r = gridStrategy.onFill(r.state, fillOf(order, 2));
    const p = top.openPrice;
    // netting: the long fill cancels every resting short entry (reason 'netting')
    const cancels = r.intents.filter((i) => i.action === 'cancel');
    expect(cancels).toEqual(shortsResting.map((key) => ({ action: 'cancel', key, reason: 'netting' })));
    const [tp, rearm, ...rest] = r.intents.filter((i) => i.action === 'place') as OrderIntent[];
    expect(rest).toEqual([]);
    expect(tp).toEqual({
      action: 'place', key: `${order.key}>tp:${top.j}`, type: 'limit', side: 'sell', positionSide: 'long', amount: top.openAmount,
      price: ceilTo(Math.min(Math.max(p * 1.004, ladder[top.j + 1]), p * 1.08), 2), reduceOnly: true, tag: 'grid_tp',
    });
    const rp = floorTo(Math.min(ladder[top.j - 1], p * 0.995), 2);
    expect(rearm).toEqual({
      action: 'place', key: `${order.key}>rearm:${top.j - 1}`, type: 'limit', side: 'buy', positionSide: 'long',
      amount: floorTo(2_000 / 20 / rp, 3), price: rp, reduceOnly: false, tag: 'grid_open',
    });
    expect(r.state.long).toEqual({ qty: top.openAmount, avg: p });
    expect(r.state.lastEntryTime).toBe(2);
  });

  it('short fill: TP at max(min(fill·0.993, level[j−1]), fill·0.93) and a re-arm sell at max(level[j+1], fill·1.005)', () => {
    const { state } = warm();
    const open = state.slots.filter((s) => s.st === 'open_order' && s.leg === 'short').sort((a, b) => a.j - b.j);
    const low = open[0];
    const above = state.slots.find((s) => s.j === low.j + 1);
    let r = gridStrategy.onOrderClosed(state, { key: above?.openKey as string, status: 'canceled', time: 1 });
    const ladder = [...r.state.ladder];
    const order: OrderIntent = { action: 'place', key: low.openKey as string, type: 'limit', side: 'sell', positionSide: 'short', amount: low.openAmount, price: low.openPrice, reduceOnly: false, tag: 'grid_open' };
    r = gridStrategy.onFill(r.state, fillOf(order, 3));
    const p = low.openPrice;
    expect(r.intents.filter((i) => i.action === 'cancel').every((i) => i.action === 'cancel' && i.reason === 'netting')).toBe(true);
    const [tp, rearm] = r.intents.filter((i) => i.action === 'place') as OrderIntent[];
    expect(tp).toMatchObject({ key: `${order.key}>tp:${low.j}`, side: 'buy', positionSide: 'short', reduceOnly: true, amount: low.openAmount, price: floorTo(Math.max(Math.min(p * 0.993, ladder[low.j - 1]), p * 0.93), 2) });
    expect(rearm).toMatchObject({ key: `${order.key}>rearm:${low.j + 1}`, side: 'sell', positionSide: 'short', price: ceilTo(Math.max(ladder[low.j + 1], p * 1.005), 2) });
  });

  it('a take-profit fill completes the pair: grid profit = (tp − entry)·qty − both fees, level back to idle', () => {
    const { state } = warm();
    const top = state.slots.filter((s) => s.st === 'open_order' && s.leg === 'long').sort((a, b) => b.j - a.j)[0];
    const order: OrderIntent = { action: 'place', key: top.openKey as string, type: 'limit', side: 'buy', positionSide: 'long', amount: top.openAmount, price: top.openPrice, reduceOnly: false, tag: 'grid_open' };
    const { j, openPrice, openAmount } = top; // copied: the slot object is reset when it re-arms
    let r = gridStrategy.onFill(state, fillOf(order, 5));
    const tp = (r.intents as OrderIntent[])[0];
    r = gridStrategy.onFill(r.state, { ...fillOf(tp, 6), fee: 0.02 });
    expect(r.state.metrics.matchedPairs).toBe(1);
    expect(r.state.metrics.gridProfit).toBeCloseTo(((tp.price as number) - openPrice) * openAmount - 0.01 - 0.02, 10);
    expect(r.state.slots.find((s) => s.j === j)?.st).toBe('idle');
    expect(r.state.long.qty).toBe(0);
  });
});
