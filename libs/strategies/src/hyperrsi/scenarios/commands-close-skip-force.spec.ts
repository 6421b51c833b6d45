import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/candle';
import { parseCommandFor, StrategyCommandError, type StrategyCommand } from '../../core/commands';
import type { Fill } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import type { HyperrsiState } from '../hyperrsi.state';
import { BTC_MARKET, scenarioSettings } from '../testing/reference';

// Scenario: close a percentage now, skip the next entry, force an entry (docs/adr/0018-trader-commands.md). BTC perp
// (tick 0.1, step 0.001, min 0.001 / 5 USDT), default TP ladder 2/3/4 % with ratios 30/30/40, no own stop-loss.
const H = 3_600_000;
const candle = (time: number, close: number): Candle => ({ time, open: close, high: close, low: close, close, volume: 1 });

describe('scenario: HYPERRSI close %, skip next entry, force entry', () => {
  const strategy = createHyperrsiStrategy();
  const settings = scenarioSettings({ investment: 1000, leverage: 1, direction: 'long', entry_option: 'cross_into', rsi_length: 2 });
  const cmd = (st: HyperrsiState, id: string, c: StrategyCommand) => strategy.onCommand!(st, { id, command: parseCommandFor(strategy as never, c) }, BTC_MARKET);
  const fill = (key: string, tag: string, side: 'buy' | 'sell', amount: number, price: number, time: number): Fill => ({ key, tag, side, positionSide: 'long', amount, price, fee: 0, time, remaining: 0 });

  function flatAt(price: number): HyperrsiState {
    const st = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
    return strategy.decide(st, candle(0, price), BTC_MARKET).state;
  }

  /** A long of 0.02 at 50,000: TPs 0.006 @ 51,000, 0.006 @ 51,500, 0.008 @ 52,000. */
  function openLong(): HyperrsiState {
    const r = cmd(flatAt(50_000), 'c1', { type: 'force_entry', side: 'long', size: 0.02 });
    return strategy.onFill(r.state, fill('b:cmd:c1>entry:0', 'entry', 'buy', 0.02, 50_000, H + 1)).state;
  }

  it('force_entry without a size uses the strategy entry size: investment × leverage / last close = 1000 / 40,000 = 0.025', () => {
    const r = cmd(flatAt(40_000), 'f', { type: 'force_entry', side: 'long' });
    expect(r.intents).toEqual([{ action: 'place', key: 'b:cmd:f>entry:0', type: 'market', side: 'buy', positionSide: 'long', amount: 0.025, reduceOnly: false, tag: 'entry' }]);
    expect(r.state.pendingKey).toBe('b:cmd:f>entry:0');
  });

  it('force_entry with a position open, or before any candle, places nothing and says why', () => {
    const open = cmd(openLong(), 'f2', { type: 'force_entry', side: 'long' });
    expect([open.intents, open.state.lastSkip]).toEqual([[], 'force_entry_position_open']);
    const fresh = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
    const early = cmd(fresh, 'f3', { type: 'force_entry', side: 'short' });
    expect([early.intents, early.state.lastSkip]).toEqual([[], 'force_entry_no_price_yet']);
  });

  it('close_percent 50 closes floor(0.02 × 50 %) = 0.01 at market; when it fills, the TPs are resized to the half left', () => {
    const r = cmd(openLong(), 'p', { type: 'close_percent', percent: 50 });
    expect(r.intents).toEqual([{ action: 'place', key: 'b:cmd:p>close:0', type: 'market', side: 'sell', positionSide: 'long', amount: 0.01, reduceOnly: true, tag: 'close' }]);
    expect(r.state.main).toMatchObject({ closing: true, closeReason: 'manual_partial' });
    const after = strategy.onFill(r.state, fill('b:cmd:p>close:0', 'close', 'sell', 0.01, 50_100, 2 * H));
    expect(after.state.main).toMatchObject({ size: 0.01, closing: false, closeReason: null });
    // each TP keeps its price and closes half of what it did: 0.006 → 0.003, 0.006 → 0.003, 0.008 → 0.004
    const places = after.intents.filter((i) => i.action === 'place').map((i) => (i.action === 'place' ? [i.tag, i.amount, i.price] : null));
    expect(places).toEqual([
      ['tp1', 0.003, 51_000],
      ['tp2', 0.003, 51_500],
      ['tp3', 0.004, 52_000],
    ]);
    expect(after.intents.filter((i) => i.action === 'cancel').length).toBe(3);
  });

  it('close_percent 100 (or a rest below the minimums) closes everything and cancels the protection', () => {
    const all = cmd(openLong(), 'a', { type: 'close_percent', percent: 100 });
    expect(all.intents.filter((i) => i.action === 'cancel').length).toBe(3);
    expect(all.intents.filter((i) => i.action === 'place')).toEqual([{ action: 'place', key: 'b:cmd:a>close:0', type: 'market', side: 'sell', positionSide: 'long', amount: 0.02, reduceOnly: true, tag: 'close' }]);
    // 99.99 %: floor(0.019998) = 0.019, leaving 0.001 = 50 USDT at 50,000 (≥ the 5 USDT minimum): a partial close
    const nearly = cmd(openLong(), 'n', { type: 'close_percent', percent: 99.99 });
    expect(nearly.intents.filter((i) => i.action === 'place').map((i) => (i.action === 'place' ? i.amount : 0))).toEqual([0.019]);
    // on a market with a 60 USDT minimum that 50 USDT rest could never be sold: the whole position goes
    const strict = { ...BTC_MARKET, minNotional: 60 };
    const whole = strategy.onCommand!(openLong(), { id: 'w', command: { type: 'close_percent', percent: 99.99 } }, strict);
    expect(whole.intents.filter((i) => i.action === 'place').map((i) => (i.action === 'place' ? i.amount : 0))).toEqual([0.02]);
    const none = cmd(flatAt(50_000), 'x', { type: 'close_percent', percent: 10 });
    expect([none.intents, none.state.lastSkip]).toEqual([[], 'command_no_open_position']);
  });

  it('skip_next_entry: the next long signal is not taken (once); the one after is', () => {
    // RSI(2) falls through 30 on the way down from 300 (43.8 → 28.2 at candle 8) and again from 400 (two signals)
    const closes = [100, 90, 80, 70, 100, 200, 300, 200, 150, 200, 300, 400, 300, 200, 150];
    const run = (skipFirst: boolean) => {
      let st = strategy.init({ botId: 'b', settings, market: { ...BTC_MARKET, minNotional: 0 }, timeframe: '1h' });
      if (skipFirst) st = cmd(st, 's', { type: 'skip_next_entry' }).state;
      const entries: number[] = [];
      closes.forEach((c, i) => {
        const r = strategy.decide(st, candle(i * H, c), { ...BTC_MARKET, minNotional: 0 });
        st = r.state;
        for (const it of r.intents) if (it.action === 'place' && it.tag === 'entry') {
          entries.push(i);
          // the entry never fills here: the order is closed unfilled so the next signal can enter again
          st = strategy.onOrderClosed(st, { key: it.key, status: 'canceled', time: (i + 1) * H }).state;
        }
      });
      return { entries, st };
    };
    const plain = run(false);
    const skipped = run(true);
    expect(plain.entries.length).toBe(2);
    expect(plain.entries[0]).toBe(8);
    expect(skipped.entries).toEqual(plain.entries.slice(1));
    expect(skipped.st.skipNextEntry).toBeUndefined();
  });

  it('commands are validated: unknown fields, bad sides and percent are refused with one issue per field', () => {
    const issues = (c: unknown) => {
      try {
        parseCommandFor(strategy as never, c);
        return [];
      } catch (e) {
        return (e as StrategyCommandError).issues.map((i) => i.field);
      }
    };
    expect(issues({ type: 'close_percent', percent: 0 })).toEqual(['percent']);
    expect(issues({ type: 'force_entry', side: 'up', size: -1 })).toEqual(['side', 'size']);
    expect(issues({ type: 'set_stop_loss', side: 'long', price: 1, extra: 1 })).toEqual(['extra']);
    expect(issues({ type: 'set_take_profit', side: 'long', prices: [1, 2], sizes: [50] })).toEqual(['sizes']);
    expect(issues({ type: 'skip_next_entry' })).toEqual([]);
  });
});
