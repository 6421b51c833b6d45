import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/candle';
import { parseCommandFor, type StrategyCommand } from '../../core/commands';
import type { Fill, Intent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import type { HyperrsiState } from '../hyperrsi.state';
import { BTC_MARKET, scenarioSettings } from '../testing/reference';

// Scenario: the trader's /sl and /tp on an open long (docs/adr/0018-trader-commands.md). BTC perp (tick 0.1,
// step 0.001), no stop-loss of the strategy's own (use_sl false), default TP ladder 2/3/4 % with ratios 30/30/40.
// Every expected number below is worked out by hand in the comments.
const H = 3_600_000;
const flat = (time: number, price: number): Candle => ({ time, open: price, high: price, low: price, close: price, volume: 1 });

describe('scenario: HYPERRSI manual stop-loss and take-profit commands', () => {
  const strategy = createHyperrsiStrategy();
  const settings = scenarioSettings({ investment: 1000, leverage: 1, direction: 'long' });
  const cmd = (st: HyperrsiState, id: string, c: StrategyCommand) => strategy.onCommand!(st, { id, command: parseCommandFor(strategy as never, c) }, BTC_MARKET);
  const fill = (key: string, tag: string, side: 'buy' | 'sell', amount: number, price: number, time: number): Fill => ({ key, tag, side, positionSide: 'long', amount, price, fee: 0, time, remaining: 0 });
  const places = (xs: readonly Intent[]) => xs.filter((i) => i.action === 'place');

  /** A long of 0.02 BTC at 50,000 opened by force_entry after one flat candle. */
  function openLong(): HyperrsiState {
    let st = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
    st = strategy.decide(st, flat(0, 50_000), BTC_MARKET).state; // RSI warming up: no entry of its own
    const r = cmd(st, 'c1', { type: 'force_entry', side: 'long', size: 0.02 });
    // the command's market entry: keyed by the command id, the size as given
    expect(r.intents).toEqual([{ action: 'place', key: 'b:cmd:c1>entry:0', type: 'market', side: 'buy', positionSide: 'long', amount: 0.02, reduceOnly: false, tag: 'entry' }]);
    return strategy.onFill(r.state, fill('b:cmd:c1>entry:0', 'entry', 'buy', 0.02, 50_000, H + 1)).state;
  }

  it('force_entry opens with the strategy own TP ladder (2/3/4 % of 50,000; 30/30/40 % of 0.02)', () => {
    const st = openLong();
    expect(st.main).toMatchObject({ side: 'long', size: 0.02, avgPrice: 50_000, tpPrices: [51_000, 51_500, 52_000] });
    // 0.02 × 0.3 = 0.006, 0.006, and the rest 0.008 on tp3
    expect(st.orders.map((o) => [o.tag, o.amount, o.price])).toEqual([
      ['tp1', 0.006, 51_000],
      ['tp2', 0.006, 51_500],
      ['tp3', 0.008, 52_000],
    ]);
  });

  it('set_stop_loss places a reduce-only stop for the whole position at the price (rounded to the tick)', () => {
    const r = cmd(openLong(), 'c2', { type: 'set_stop_loss', side: 'long', price: 49_000.04 });
    expect(r.intents).toEqual([
      { action: 'place', key: 'b:cmd:c2>manual_sl:0', type: 'stop_market', side: 'sell', positionSide: 'long', amount: 0.02, triggerPrice: 49_000, reduceOnly: true, tag: 'manual_sl' },
    ]);
    expect(r.state.main).toMatchObject({ manualStop: 49_000, stopPrice: 49_000, stopKey: 'b:cmd:c2>manual_sl:0' });
  });

  it('a stop above the price of a long, or a command for a side without a position, changes nothing and says why', () => {
    const st = openLong();
    const above = cmd(st, 'c2', { type: 'set_stop_loss', side: 'long', price: 50_100 }); // last close 50,000
    expect(above.intents).toEqual([]);
    expect(above.state.lastSkip).toBe('manual_sl_on_wrong_side');
    const short = cmd(above.state, 'c3', { type: 'set_stop_loss', side: 'short', price: 51_000 });
    expect(short.intents).toEqual([]);
    expect(short.state.lastSkip).toBe('command_no_short_position');
  });

  it('the manual stop fills like the strategy own stop: the position closes and its TPs are cancelled', () => {
    const st = cmd(openLong(), 'c2', { type: 'set_stop_loss', side: 'long', price: 49_000 }).state;
    const r = strategy.onFill(st, fill('b:cmd:c2>manual_sl:0', 'manual_sl', 'sell', 0.02, 49_000, 3 * H));
    expect(r.state.main).toBeNull();
    expect(r.intents.map((i) => (i.action === 'cancel' ? i.key : ''))).toEqual(['b:1>tp1:0', 'b:1>tp2:1', 'b:1>tp3:2'].map((k) => k.replace('b:1', `b:cmd:c1>entry:0`)));
  });

  it('clear_stop_loss cancels the manual stop (and the strategy places none of its own: use_sl is off)', () => {
    const st = cmd(openLong(), 'c2', { type: 'set_stop_loss', side: 'long', price: 49_000 }).state;
    const r = cmd(st, 'c3', { type: 'clear_stop_loss', side: 'long' });
    expect(r.intents).toEqual([{ action: 'cancel', key: 'b:cmd:c2>manual_sl:0', reason: 'manual stop-loss cleared' }]);
    expect(r.state.main).toMatchObject({ manualStop: null, stopPrice: null, stopKey: null });
  });

  it('set_take_profit replaces the ladder: 25 % at 50,500 and the rest (75 %) at 51,000', () => {
    const r = cmd(openLong(), 'c2', { type: 'set_take_profit', side: 'long', prices: [50_500, 51_000], sizes: [25, 75] });
    // keys count the orders the command places (cancels carry the key of what they cancel)
    const cancels = r.intents.filter((i) => i.action === 'cancel').map((i) => i.key);
    expect(cancels).toEqual(['b:cmd:c1>entry:0>tp1:0', 'b:cmd:c1>entry:0>tp2:1', 'b:cmd:c1>entry:0>tp3:2']);
    // 0.02 × 25 % = 0.005; the last level takes 0.02 − 0.005 = 0.015
    expect(places(r.intents)).toEqual([
      { action: 'place', key: 'b:cmd:c2>tp1:0', type: 'limit', side: 'sell', positionSide: 'long', amount: 0.005, price: 50_500, reduceOnly: true, tag: 'tp1' },
      { action: 'place', key: 'b:cmd:c2>tp2:1', type: 'limit', side: 'sell', positionSide: 'long', amount: 0.015, price: 51_000, reduceOnly: true, tag: 'tp2' },
    ]);
    expect(r.state.main!.tpPrices).toEqual([50_500, 51_000, null]);
  });

  it('the manual TP1 filling moves the stop to break-even (50,000) as the strategy own TP1 does, for what is left (0.015)', () => {
    let st = cmd(openLong(), 'c2', { type: 'set_stop_loss', side: 'long', price: 49_000 }).state;
    st = cmd(st, 'c3', { type: 'set_take_profit', side: 'long', prices: [50_500, 51_000], sizes: [25, 75] }).state;
    const r = strategy.onFill(st, fill('b:cmd:c3>tp1:0', 'tp1', 'sell', 0.005, 50_500, 2 * H + 5));
    expect(r.intents).toEqual([
      { action: 'cancel', key: 'b:cmd:c2>manual_sl:0', reason: 'break-even after tp1' },
      { action: 'place', key: 'b:cmd:c3>tp1:0>break_even:0', type: 'stop_market', side: 'sell', positionSide: 'long', amount: 0.015, triggerPrice: 50_000, reduceOnly: true, tag: 'break_even' },
    ]);
  });

  it('clear_take_profit goes back to the strategy ladder for the position (2/3/4 % from the average 50,000)', () => {
    const st = cmd(openLong(), 'c2', { type: 'set_take_profit', side: 'long', prices: [50_500], sizes: [50] }).state;
    const r = cmd(st, 'c3', { type: 'clear_take_profit', side: 'long' });
    expect(r.intents.filter((i) => i.action === 'cancel').map((i) => i.key)).toEqual(['b:cmd:c2>tp1:0']);
    expect(places(r.intents).map((i) => (i.action === 'place' ? [i.tag, i.amount, i.price] : null))).toEqual([
      ['tp1', 0.006, 51_000],
      ['tp2', 0.006, 51_500],
      ['tp3', 0.008, 52_000],
    ]);
    expect(r.state.main!.manualTp).toBeNull();
  });

  it('the journal replays: the same commands on a clone give the same intents and state', () => {
    const a = openLong();
    const b = structuredClone(a);
    const ra = cmd(a, 'c9', { type: 'set_take_profit', side: 'long', prices: [50_600, 50_900, 51_200], sizes: [20, 30, 50] });
    const rb = cmd(b, 'c9', { type: 'set_take_profit', side: 'long', prices: [50_600, 50_900, 51_200], sizes: [20, 30, 50] });
    expect(JSON.stringify(rb)).toBe(JSON.stringify(ra));
  });
});
