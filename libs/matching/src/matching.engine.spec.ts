import { describe, expect, it } from 'vitest';
import type { Intent, MarketSpec, OrderIntent } from '@tb/strategies';
import { MatchingEngine } from './matching.engine';
import type { EngineEvent, FillEvent, MatchingConfig } from './matching.types';

const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 1 };
const PERP: MarketSpec = { ...SPOT, symbol: 'BTC/USDT:USDT', type: 'perp' };

function engine(over: Partial<MatchingConfig> = {}): MatchingEngine {
  return new MatchingEngine({ market: SPOT, initialBalance: 10_000, feeMaker: 0, feeTaker: 0, slippage: 0, ...over });
}

const place = (key: string, o: Partial<OrderIntent> & Pick<OrderIntent, 'type' | 'side'>): OrderIntent => ({
  action: 'place',
  key,
  positionSide: 'long',
  amount: 1,
  reduceOnly: false,
  tag: key,
  ...o,
});

const fills = (evs: readonly EngineEvent[]) => evs.filter((e): e is FillEvent => e.type === 'fill').map((e) => [e.fill.key, e.fill.price]);
const closedOf = (evs: readonly EngineEvent[]) => evs.flatMap((e) => (e.type === 'closed' ? [[e.event.key, e.event.status, e.event.reason]] : []));

describe('MatchingEngine: intra-candle path', () => {
  // a buy limit at 95 and a sell limit at 105 (the account holds 1 BTC so the sell is valid)
  function withBoth() {
    const e = engine();
    e.apply(place('seed', { type: 'market', side: 'buy' }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.apply(place('buy95', { type: 'limit', side: 'buy', price: 95 }), 1);
    e.apply(place('sell105', { type: 'limit', side: 'sell', price: 105, reduceOnly: true }), 1);
    return e;
  }

  it('visits the extreme nearer the open first (low nearer)', () => {
    const evs = withBoth().processBar(1, 97, 106, 94, 100); // |97-94| = 3 < |106-97| = 9
    expect(fills(evs)).toEqual([
      ['buy95', 95],
      ['sell105', 105],
    ]);
  });

  it('visits the extreme nearer the open first (high nearer)', () => {
    const evs = withBoth().processBar(1, 103, 106, 94, 100); // |106-103| = 3 < |103-94| = 9
    expect(fills(evs)).toEqual([
      ['sell105', 105],
      ['buy95', 95],
    ]);
  });

  it('on equal distances goes adverse-first for a net long (low first)', () => {
    const evs = withBoth().processBar(1, 100, 106, 94, 100);
    expect(fills(evs).map((f) => f[0])).toEqual(['buy95', 'sell105']);
  });

  it('on equal distances goes adverse-first for a net short (high first)', () => {
    const e = engine({ market: PERP, leverage: 5 });
    e.apply(place('short', { type: 'market', side: 'sell', positionSide: 'short' }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.apply(place('tp', { type: 'limit', side: 'buy', positionSide: 'short', price: 95, reduceOnly: true }), 1);
    e.apply(place('sl', { type: 'stop_market', side: 'buy', positionSide: 'short', triggerPrice: 105, reduceOnly: true }), 1);
    const evs = e.processBar(1, 100, 106, 94, 100);
    expect(fills(evs)).toEqual([['sl', 105]]);
    expect(closedOf(evs)).toEqual([['tp', 'canceled', 'position_closed']]);
  });

  it('fills orders placed by the handler during the rest of the same candle', () => {
    const e = engine();
    e.setHandler((ev) => (ev.type === 'fill' && ev.fill.key === 'buy' ? [place('tp', { type: 'limit', side: 'sell', price: 104, reduceOnly: true })] : []));
    e.apply(place('buy', { type: 'limit', side: 'buy', price: 96 }), 0);
    const evs = e.processBar(0, 98, 105, 95, 100); // 98 -> 95 (buy @96) -> 105 (tp @104) -> 100
    expect(fills(evs)).toEqual([
      ['buy', 96],
      ['tp', 104],
    ]);
  });
});

describe('MatchingEngine: order types', () => {
  it('limit: through (default) needs price strictly beyond; touch accepts equality', () => {
    const through = engine();
    through.apply(place('b', { type: 'limit', side: 'buy', price: 95 }), 0);
    expect(fills(through.processBar(0, 100, 101, 95, 99))).toEqual([]);
    expect(fills(through.processBar(1, 99, 100, 94.99, 99))).toEqual([['b', 95]]);
    const touch = engine({ limitFill: 'touch' });
    touch.apply(place('b', { type: 'limit', side: 'buy', price: 95 }), 0);
    expect(fills(touch.processBar(0, 100, 101, 95, 99))).toEqual([['b', 95]]);
  });

  it('a resting limit gapped through at the open fills at its limit (maker); a new marketable one at the open (taker)', () => {
    const e = engine({ feeMaker: 0.001, feeTaker: 0.002 });
    e.apply(place('rest', { type: 'limit', side: 'buy', price: 95, amount: 1 }), 0);
    e.processBar(0, 100, 101, 99, 100); // rests
    e.apply(place('fresh', { type: 'limit', side: 'buy', price: 95, amount: 1 }), 1);
    const evs = e.processBar(1, 90, 91, 89, 90) as FillEvent[];
    // the resting one was in the book while price fell through 95 -> 95 maker; the new one meets an open of 90 -> 90 taker
    expect(evs.map((x) => [x.fill.key, x.fill.price, x.liquidity, x.fill.fee])).toEqual([
      ['rest', 95, 'maker', 95 * 0.001],
      ['fresh', 90, 'taker', 90 * 0.002],
    ]);
  });

  it('market orders fill at the next open with adverse slippage and the taker fee', () => {
    const e = engine({ feeTaker: 0.001, slippage: 0.01 });
    e.apply(place('m', { type: 'market', side: 'buy', amount: 2 }), 0);
    const [f] = e.processBar(0, 100, 110, 90, 105) as FillEvent[];
    // 100 * 1.01 = 101 ; fee 2 * 101 * 0.001 = 0.202
    expect(f.fill.price).toBeCloseTo(101, 12);
    expect(f.fill.fee).toBeCloseTo(0.202, 12);
    expect(e.balance).toBeCloseTo(10_000 - 202 - 0.202, 9);
  });

  it('stop_market: fills at the trigger inside the candle, at the open when gapped, both with slippage', () => {
    const e = engine({ slippage: 0.001 });
    e.apply(place('seed', { type: 'market', side: 'buy', amount: 2 }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.apply(place('sl1', { type: 'stop_market', side: 'sell', triggerPrice: 95, amount: 1, reduceOnly: true }), 1);
    // 95 × 0.999 = 94.905, rounded down to the 0.01 tick (a sell): 94.90
    expect(fills(e.processBar(1, 98, 99, 94, 96))).toEqual([['sl1', 94.9]]);
    e.apply(place('sl2', { type: 'stop_market', side: 'sell', triggerPrice: 93, amount: 1, reduceOnly: true }), 2);
    // 90 × 0.999 = 89.91, already on the tick
    expect(fills(e.processBar(2, 90, 91, 89, 90))).toEqual([['sl2', 89.91]]);
  });

  it('processPrice (paper exchange): a market order fills at the current price, crossed limits at their price', () => {
    const e = engine();
    e.processPrice(0, 100);
    e.apply(place('m', { type: 'market', side: 'buy' }), 1);
    expect(fills(e.processPrice(1, 101))).toEqual([['m', 101]]);
    e.apply(place('tp', { type: 'limit', side: 'sell', price: 103, reduceOnly: true }), 2);
    expect(fills(e.processPrice(2, 102))).toEqual([]);
    expect(fills(e.processPrice(3, 104))).toEqual([['tp', 103]]);
  });
});

describe('MatchingEngine: reduce-only, rejections, keys', () => {
  it('clamps a reduce-only order to the position and rejects one without a position', () => {
    const e = engine();
    e.apply(place('buy', { type: 'market', side: 'buy', amount: 1 }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.apply(place('tp', { type: 'market', side: 'sell', amount: 3, reduceOnly: true }), 1);
    const [f] = e.processBar(1, 110, 110, 110, 110) as FillEvent[];
    expect(f.fill.amount).toBe(1);
    expect(f.realizedPnl).toBe(10);
    expect(e.baseBalance).toBe(0);
    e.apply(place('again', { type: 'market', side: 'sell', amount: 1, reduceOnly: true }), 2);
    expect(closedOf(e.processBar(2, 110, 110, 110, 110))).toEqual([['again', 'rejected', 'reduce_only_no_position']]);
  });

  it('rejects an opening perp order without enough free margin (resting limits reserve margin)', () => {
    const e = engine({ market: PERP, initialBalance: 100, leverage: 10, feeMaker: 0.001 });
    // 5 @ 100 = 500 notional -> margin 50 + maker fee 0.5 = 50.5 reserved
    expect(e.apply(place('a', { type: 'limit', side: 'buy', price: 100, amount: 5 }), 0)).toEqual([]);
    expect(e.freeBalance).toBeCloseTo(49.5, 12);
    const evs = e.apply(place('b', { type: 'limit', side: 'buy', price: 100, amount: 5 }), 0);
    expect(closedOf(evs)).toEqual([['b', 'rejected', 'insufficient_margin']]);
    // a market order is checked at fill time: 10 @ 100 needs margin 100 > free 49.5
    e.apply(place('m', { type: 'market', side: 'buy', amount: 10 }), 0);
    expect(closedOf(e.processBar(0, 100, 100, 100, 100))).toEqual([['m', 'rejected', 'insufficient_margin']]);
  });

  it('rejects shorts on spot and spot buys beyond the quote balance', () => {
    const e = engine({ initialBalance: 50 });
    expect(closedOf(e.apply(place('s', { type: 'market', side: 'sell', positionSide: 'short' }), 0))).toEqual([['s', 'rejected', 'spot_no_short']]);
    expect(closedOf(e.apply(place('b', { type: 'limit', side: 'buy', price: 100 }), 0))).toEqual([['b', 'rejected', 'insufficient_balance']]);
  });

  it('ignores a resubmitted resting key and rejects a reused one', () => {
    const e = engine();
    const o = place('k', { type: 'limit', side: 'buy', price: 90 });
    e.apply(o, 0);
    expect(e.apply(o, 0)).toEqual([]);
    expect(e.openOrderCount).toBe(1);
    const c: Intent = { action: 'cancel', key: 'k', reason: 'test' };
    expect(closedOf(e.apply(c, 0))).toEqual([['k', 'canceled', 'test']]);
    expect(closedOf(e.apply(o, 0))).toEqual([['k', 'rejected', 'duplicate_key']]);
  });

  it('remembers at least the last rememberFinishedKeys finished keys (rejections included; at most twice as many) and every resting key', () => {
    const e = engine({ rememberFinishedKeys: 2 });
    const lim = (key: string, amount = 1) => place(key, { type: 'limit', side: 'buy', price: 90, amount });
    const cancel = (key: string): Intent => ({ action: 'cancel', key, reason: 'test' });
    const finish = (key: string) => {
      e.apply(lim(key), 0);
      e.apply(cancel(key), 0);
    };
    e.apply(lim('rest'), 0); // resting the whole time: never forgotten, however many keys finish after it
    finish('a');
    expect(closedOf(e.apply(lim('bad', 0), 0))).toEqual([['bad', 'rejected', 'invalid_amount']]); // finished: a, bad
    expect(closedOf(e.apply(lim('a'), 0))).toEqual([['a', 'rejected', 'duplicate_key']]);
    finish('c');
    // a is among the last 2N = 4 finished keys: still refused (the memory turns N keys at a time)
    expect(closedOf(e.apply(lim('a'), 0))).toEqual([['a', 'rejected', 'duplicate_key']]);
    finish('d'); // the memory turns again: c, d kept, a and bad (more than N = 2 finished keys ago) forgotten
    expect(closedOf(e.apply(lim('c'), 0))).toEqual([['c', 'rejected', 'duplicate_key']]);
    expect(closedOf(e.apply(lim('d'), 0))).toEqual([['d', 'rejected', 'duplicate_key']]);
    expect(closedOf(e.apply(lim('a'), 0))).toEqual([]); // forgotten: placed again
    expect(closedOf(e.apply(lim('bad'), 0))).toEqual([]);
    expect(e.apply(lim('rest'), 0)).toEqual([]); // idempotent
    expect(e.openOrderCount).toBe(3); // rest, a, bad

    const none = engine({ rememberFinishedKeys: 0 });
    none.apply(lim('k'), 0);
    expect(none.apply(lim('k'), 0)).toEqual([]); // resting: idempotent even with no memory of finished keys
    none.apply(cancel('k'), 0);
    expect(closedOf(none.apply(lim('k'), 0))).toEqual([]); // forgotten at once: placed again
    expect(none.openOrderCount).toBe(1);
  });
});

describe('MatchingEngine: perpetual accounting', () => {
  it('computes isolated-margin liquidation prices for both sides', () => {
    const e = engine({ market: PERP, leverage: 10, maintenanceMarginRate: 0.01 });
    e.apply(place('l', { type: 'market', side: 'buy', amount: 2 }), 0);
    e.apply(place('s', { type: 'market', side: 'sell', positionSide: 'short', amount: 1 }), 0);
    e.processBar(0, 100, 100, 100, 100);
    // long: margin 20; (100*2 - 20) / (2 * 0.99) = 90.909090...
    expect(e.position('long').liquidationPrice).toBeCloseTo(180 / 1.98, 10);
    // short: margin 10; (100 + 10) / 1.01 = 108.910891...
    expect(e.position('short').liquidationPrice).toBeCloseTo(110 / 1.01, 10);
    expect(e.equity(104)).toBeCloseTo(10_000 + 8 - 4, 10);
  });

  it('applies funding to position notional at the funding time (longs pay, shorts receive)', () => {
    const e = engine({ market: PERP, leverage: 5, funding: [{ time: 2, rate: 0.001 }] });
    e.apply(place('l', { type: 'market', side: 'buy', amount: 2 }), 0);
    e.apply(place('s', { type: 'market', side: 'sell', positionSide: 'short', amount: 1 }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.processBar(1, 100, 100, 100, 100);
    const evs = e.processBar(2, 110, 110, 110, 110);
    const f = evs.filter((x) => x.type === 'funding');
    // long pays 2 * 110 * 0.001 = 0.22 ; short receives 1 * 110 * 0.001 = 0.11
    expect(f.map((x) => (x.type === 'funding' ? [x.positionSide, x.amount] : []))).toEqual([
      ['long', 2 * 110 * 0.001],
      ['short', -110 * 0.001],
    ]);
    expect(e.balance).toBeCloseTo(10_000 - 0.22 + 0.11, 12);
    expect(e.position('long').margin).toBeCloseTo(40 - 0.22, 12);
  });

  it('keeps the hedge-mode sides independent', () => {
    const e = engine({ market: PERP, leverage: 2, feeTaker: 0.001 });
    e.apply(place('l', { type: 'market', side: 'buy', amount: 1 }), 0);
    e.apply(place('s', { type: 'market', side: 'sell', positionSide: 'short', amount: 1 }), 0);
    e.processBar(0, 100, 100, 100, 100);
    e.apply(place('lc', { type: 'market', side: 'sell', amount: 1, reduceOnly: true }), 1);
    const [f] = e.processBar(1, 120, 120, 120, 120) as FillEvent[];
    expect([f.fill.positionSide, f.realizedPnl]).toEqual(['long', 20]);
    expect(e.position('short').qty).toBe(1);
    // fees 0.1 + 0.1 + 0.12 ; short unrealized -20
    expect(e.balance).toBeCloseTo(10_000 + 20 - 0.32, 10);
    expect(e.equity(120)).toBeCloseTo(10_000 - 0.32, 10);
  });
});
