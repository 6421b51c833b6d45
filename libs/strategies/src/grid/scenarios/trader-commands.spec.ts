import { describe, expect, it } from 'vitest';
import { parseCommandFor, StrategyCommandError } from '../../core/commands';
import type { Strategy } from '../../core/contract';
import type { GridSettings } from '../grid.settings';
import { gridStrategy, type GridState } from '../grid.strategy';
import { BTC_PERP, BTC_SPOT, btc1h } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: trader commands on a range grid (docs/adr/0018-trader-commands.md). A manual stop-loss / take-profit price
// acts on the closed candle exactly as the settings' stopLossPrice / takeProfitPrice do (BTC fell to 38,555 on
// 2024-01-23); close_percent 100 closes everything; what a grid cannot do is refused before it reaches the bot.
const base = { mode: 'range', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000 } as const;

/** The grid strategy with a command applied to its initial state (as a bot applies one before its first candle). */
function withCommand(command: unknown): Strategy<GridSettings, GridState> {
  return { ...gridStrategy, init: (i) => gridStrategy.onCommand!(gridStrategy.init(i), { id: 'c', command: parseCommandFor(gridStrategy as never, command) }).state };
}

const normalise = (x: unknown): string => JSON.stringify(x).replaceAll('manual_stop_loss', 'STOP').replaceAll('stop_loss_price', 'STOP').replaceAll('manual_take_profit', 'TP').replaceAll('take_profit_price', 'TP');

describe('grid: trader commands', () => {
  const candles = btc1h().slice(0, 24 * 31);

  it('a manual stop-loss at 39,000 trades exactly as stopLossPrice 39,000 (same orders, fills, close; reason manual_stop_loss)', () => {
    const viaSettings = simulate(gridStrategy, { botId: 'p', settings: gridStrategy.parseSettings({ ...base, stopLossPrice: 39_000 }), market: BTC_SPOT, timeframe: '1h' }, candles);
    const viaCommand = simulate(withCommand({ type: 'set_stop_loss', side: 'long', price: 39_000 }), { botId: 'p', settings: gridStrategy.parseSettings(base), market: BTC_SPOT, timeframe: '1h' }, candles);
    expect(viaSettings.state.stopReason).toBe('stop_loss_price');
    expect(viaCommand.state.stopReason).toBe('manual_stop_loss');
    expect(viaCommand.fills.length).toBeGreaterThan(2);
    expect(normalise(viaCommand.events)).toBe(normalise(viaSettings.events));
    expect(viaCommand.fills.at(-1)).toMatchObject({ tag: 'grid_sl', side: 'sell' });
  });

  it('a manual take-profit price closes at the first candle whose high reaches it, like takeProfitPrice', () => {
    const feb = btc1h().slice(24 * 31, 24 * 50);
    const s = { ...base, lowerPrice: 41_000, gridNum: 8, investment: 800 };
    const viaSettings = simulate(gridStrategy, { botId: 'p', settings: gridStrategy.parseSettings({ ...s, takeProfitPrice: 46_000 }), market: BTC_SPOT, timeframe: '1h' }, feb);
    const viaCommand = simulate(withCommand({ type: 'set_take_profit', side: 'long', prices: [46_000], sizes: [100] }), { botId: 'p', settings: gridStrategy.parseSettings(s), market: BTC_SPOT, timeframe: '1h' }, feb);
    expect(viaCommand.state.stopReason).toBe('manual_take_profit');
    expect(normalise(viaCommand.events)).toBe(normalise(viaSettings.events));
  });

  it('clear_stop_loss removes the manual price (the state goes back to no manual stops)', () => {
    const st = gridStrategy.init({ botId: 'p', settings: gridStrategy.parseSettings(base), market: BTC_SPOT, timeframe: '1h' });
    const set = gridStrategy.onCommand!(st, { id: 'a', command: { type: 'set_stop_loss', side: 'long', price: 39_000.004 } });
    expect(set.state.manual).toEqual({ sl: { side: 'long', price: 39_000 }, tp: null }); // rounded to the 0.01 tick
    const cleared = gridStrategy.onCommand!(set.state, { id: 'b', command: { type: 'clear_stop_loss', side: 'long' } });
    expect(cleared.state.manual).toBeUndefined();
    expect(cleared.intents).toEqual([]);
  });

  it('close_percent 100 cancels every resting order, sells what the grid holds and stops it', () => {
    let st = gridStrategy.init({ botId: 'p', settings: gridStrategy.parseSettings({ ...base, leverage: 2 }), market: BTC_PERP, timeframe: '1h' });
    st = gridStrategy.decide(st, { ...candles[0] }, BTC_PERP).state;
    const resting = st.slots.filter((x) => x.st === 'open_order').length;
    expect(resting).toBeGreaterThan(0);
    // one buy level filled: the grid holds that level's amount
    const slot = st.slots.find((x) => x.st === 'open_order' && x.leg === 'long')!;
    const held = slot.openAmount;
    st = gridStrategy.onFill(st, { key: slot.openKey!, side: 'buy', positionSide: 'long', amount: held, price: slot.openPrice, fee: 0, time: candles[1].time, tag: 'grid_open', remaining: 0 }).state;
    const r = gridStrategy.onCommand!(st, { id: 'x', command: { type: 'close_percent', percent: 100 } });
    const cancels = r.intents.filter((i) => i.action === 'cancel');
    // every order left: the other resting entries and the filled level's take-profit
    expect(cancels.length).toBe(resting - 1 + 1);
    expect(r.intents.filter((i) => i.action === 'place')).toEqual([
      { action: 'place', key: 'p:cmd:x>close:0', type: 'market', side: 'sell', positionSide: 'long', amount: held, reduceOnly: true, tag: 'grid_close' },
    ]);
    expect(r.state).toMatchObject({ status: 'stopped', stopReason: 'manual_close' });
  });

  it('refuses what a grid cannot do: entries, a partial close, a take-profit ladder', () => {
    const refused = (c: unknown) => {
      try {
        parseCommandFor(gridStrategy as never, c);
        return null;
      } catch (e) {
        return (e as StrategyCommandError).issues[0].field;
      }
    };
    expect(refused({ type: 'force_entry', side: 'long' })).toBe('type');
    expect(refused({ type: 'skip_next_entry' })).toBe('type');
    expect(refused({ type: 'close_percent', percent: 50 })).toBe('percent');
    expect(refused({ type: 'set_take_profit', side: 'long', prices: [46_000, 47_000], sizes: [50, 50] })).toBe('prices');
    expect(refused({ type: 'set_stop_loss', side: 'short', price: 50_000 })).toBeNull();
  });
});
