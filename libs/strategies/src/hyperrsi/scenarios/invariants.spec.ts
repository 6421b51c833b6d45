import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { ETH_5M_FILE, ETH_MARKET, loadCandles, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: invariants across a grid of setting combinations (entry modes x DCA modes x TP modes x
// trailing starts x hedge modes, a third with the real trend close) on ETH 5m: the strategy's own positions always equal the simulator's, no
// order key is reused, every reduce order is reduce-only, and the state stays plain, bounded JSON.
describe('scenario: invariants over many setting combinations (ETH 5m)', () => {
  const candles = loadCandles(ETH_5M_FILE).slice(0, 3000);
  const entryModes = ['cross_into', 'turn_inside', 'cross_out', 'in_zone'];
  const dcaModes = [
    { pyramiding_entry_type: 'percent', pyramiding_value: 0.5 },
    { pyramiding_entry_type: 'amount', pyramiding_value: 4, entry_criterion: 'last_entry' },
    { pyramiding_entry_type: 'atr', pyramiding_value: 1, use_rsi_with_pyramiding: false },
  ];
  const tpModes = [
    { tp_option: 'percent', tp1_value: 0.3, tp2_value: 0.6, tp3_value: 0.9 },
    { tp_option: 'price', tp1_value: 2, tp2_value: 4, tp3_value: 6, use_tp2: false },
    { tp_option: 'atr', tp1_value: 1, tp2_value: 2, tp3_value: 3 },
  ];
  const exits = [
    { trailing_stop_active: true, trailing_start_point: 'tp1', use_sl: true, sl_value: 1 },
    { trailing_stop_active: true, trailing_start_point: 'tp3', use_trailing_stop_value_with_tp2_tp3_difference: true },
    { trailing_stop_active: false, use_sl: true, use_sl_on_last: true, sl_option: 'atr', sl_value: 2 },
  ];
  const hedges = [
    { use_dual_side_entry: false },
    { use_dual_side_entry: true, dual_side_entry_trigger: 2, dual_side_entry_tp_trigger_type: 'last_dca_on_position', use_dual_sl: true, dual_side_entry_sl_trigger_type: 'existing_position' },
    { use_dual_side_entry: true, dual_side_entry_trigger: 3, dual_side_entry_ratio_type: 'fixed', dual_side_entry_ratio_value: 0.05, dual_side_entry_tp_trigger_type: 'existing_position', close_main_on_hedge_tp: true, activate_tp_sl_after_all_dca: true, dual_side_pyramiding_limit: 2 },
  ];

  it('holds for every combination', () => {
    const problems: string[] = [];
    let combos = 0;
    let fills = 0;
    const tagsFilled = new Set<string>();
    for (const entry_option of entryModes)
      for (const dca of dcaModes)
        for (const tp of tpModes)
          for (const exit of exits) {
            const hedge = hedges[combos % hedges.length];
            combos++;
            const settings = scenarioSettings({ investment: 100, entry_option, direction: 'both', use_cooldown: combos % 2 === 0, cooldown_time: 600, use_trend_close: combos % 3 === 0, ...dca, ...tp, ...exit, ...hedge });
            const strategy = createHyperrsiStrategy();
            const run = simulate({ strategy, state: strategy.init({ botId: `c${combos}`, settings, market: ETH_MARKET, timeframe: '5m' }), candles, market: ETH_MARKET });
            fills += run.fills.length;
            for (const f of run.fills) tagsFilled.add(f.tag);
            const st = run.state;
            const mine = { long: 0, short: 0 };
            if (st.main) mine[st.main.side] += st.main.size;
            if (st.hedge) mine[st.hedge.side] += st.hedge.size;
            const label = `${entry_option}/${JSON.stringify(dca)}/${JSON.stringify(tp)}/${JSON.stringify(exit)}/${JSON.stringify(hedge)}`;
            if (Number(mine.long.toFixed(6)) !== run.position.long || Number(mine.short.toFixed(6)) !== run.position.short)
              problems.push(`${label}: strategy ${JSON.stringify(mine)} vs sim ${JSON.stringify(run.position)}`);
            const keys = run.events.flatMap((e) => (e.kind === 'intent' && e.intent.action === 'place' ? [e.intent] : []));
            if (new Set(keys.map((k) => k.key)).size !== keys.length) problems.push(`${label}: duplicate key`);
            for (const k of keys) {
              const reducing = !['entry', 'dca', 'hedge_entry'].includes(k.tag);
              if (reducing !== k.reduceOnly) problems.push(`${label}: ${k.key} reduceOnly=${k.reduceOnly}`);
              if (!(k.amount > 0)) problems.push(`${label}: ${k.key} amount ${k.amount}`);
            }
            const json = JSON.stringify(st);
            if (json.length > 20_000) problems.push(`${label}: state size ${json.length}`);
            if (st.orders.length > 8) problems.push(`${label}: ${st.orders.length} open orders tracked`);
          }
    expect(combos).toBe(108);
    expect(fills).toBeGreaterThan(2000);
    // every kind of order was exercised
    expect([...tagsFilled].sort()).toEqual(['break_even', 'dca', 'entry', 'hedge_close', 'hedge_entry', 'hedge_sl', 'hedge_tp', 'sl', 'tp1', 'tp2', 'tp3', 'trailing', 'trend_close']);
    expect(problems).toEqual([]);
  }, 120_000);
});
