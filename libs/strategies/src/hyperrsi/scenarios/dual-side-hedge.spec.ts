import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, floorTo, loadCandles, roundTo, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: dual-side (hedge) entry (§2.9) on BTC 1h 2024. Main: long, 1000 USDT x 10, DCA 2% without the
// RSI gate, pyramiding_limit 4. Hedge: opens on the short side after the DCA that brings the main to 2
// entries (dual_side_entry_trigger 2), 50% of the main size, at most once per main position; hedge TP 1%
// below its average (reduce-only limit), hedge SL 2% above (reduce-only stop); closed when the main exits.
describe('scenario: dual-side hedge (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settingsInput = {
    investment: 1000,
    direction: 'long',
    pyramiding_limit: 4,
    pyramiding_value: 2,
    use_rsi_with_pyramiding: false,
    tp1_value: 6,
    tp2_value: 8,
    tp3_value: 10,
    use_dual_side_entry: true,
    dual_side_entry_trigger: 2,
    dual_side_entry_ratio_type: 'percent_of_position',
    dual_side_entry_ratio_value: 50,
    dual_side_entry_tp_trigger_type: 'percent',
    dual_side_entry_tp_value: 1,
    use_dual_sl: true,
    dual_side_entry_sl_trigger_type: 'percent',
    dual_side_entry_sl_value: 2,
    dual_side_pyramiding_limit: 1,
  };
  const settings = scenarioSettings(settingsInput);
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'h', settings, market: BTC_MARKET, timeframe: '1h' });
  const run = simulate({ strategy, state, candles, market: BTC_MARKET });

  const placedBy = (key: string, tag: string) =>
    run.events.flatMap((e) => (e.kind === 'intent' && e.intent.action === 'place' && e.intent.tag === tag && e.intent.key.startsWith(`${key}>${tag}:`) ? [e.intent as OrderIntent] : []));

  const problems: string[] = [];
  const counts = { hedges: 0, protections: 0, closes: 0 };
  let main = 0;
  let entries = 0;
  let hedge = 0;
  let hedgeCost = 0;
  let hedgesThisMain = 0;
  for (const e of run.events) {
    if (e.kind !== 'fill') continue;
    const f = e.fill;
    if (f.positionSide === 'long') {
      if (f.tag === 'entry' || f.tag === 'dca') {
        main = Number((main + f.amount).toFixed(6));
        entries += 1;
        const hedgeIntents = placedBy(f.key, 'hedge_entry');
        if (f.tag === 'dca' && entries >= 2 && hedgesThisMain < 1) {
          const want = floorTo(Math.max(main * 0.5, 0.001) - hedge, 0.001);
          if (hedgeIntents.length !== 1) problems.push(`${f.key}: expected a hedge entry`);
          else if (hedgeIntents[0].amount !== want || hedgeIntents[0].side !== 'sell' || hedgeIntents[0].positionSide !== 'short' || hedgeIntents[0].type !== 'market')
            problems.push(`${f.key}: bad hedge ${JSON.stringify(hedgeIntents[0])} (want ${want})`);
          else counts.hedges++;
          hedgesThisMain++;
        } else if (hedgeIntents.length > 0) problems.push(`${f.key}: unexpected hedge`);
      } else {
        main = Number((main - f.amount).toFixed(6));
        if (main <= 0) {
          main = 0;
          entries = 0;
          hedgesThisMain = 0;
          const closes = placedBy(f.key, 'hedge_close');
          if (hedge > 0) {
            if (closes.length !== 1 || closes[0].amount !== hedge || closes[0].side !== 'buy' || !closes[0].reduceOnly) problems.push(`${f.key}: hedge not closed with the main`);
            else counts.closes++;
          } else if (closes.length > 0) problems.push(`${f.key}: closed a hedge that does not exist`);
        }
      }
    } else if (f.tag === 'hedge_entry') {
      hedge = Number((hedge + f.amount).toFixed(6));
      hedgeCost += f.amount * f.price;
      const avg = hedgeCost / hedge;
      const [tp] = placedBy(f.key, 'hedge_tp');
      const [sl] = placedBy(f.key, 'hedge_sl');
      if (!tp || tp.type !== 'limit' || tp.side !== 'buy' || !tp.reduceOnly || tp.price !== roundTo(avg * 0.99, 0.1) || tp.amount !== hedge) problems.push(`${f.key}: bad hedge tp ${JSON.stringify(tp)}`);
      else if (!sl || sl.type !== 'stop_market' || sl.side !== 'buy' || !sl.reduceOnly || sl.triggerPrice !== roundTo(avg * 1.02, 0.1)) problems.push(`${f.key}: bad hedge sl ${JSON.stringify(sl)}`);
      else counts.protections++;
    } else {
      hedge = Number((hedge - f.amount).toFixed(6));
      if (hedge <= 0) {
        hedge = 0;
        hedgeCost = 0;
      }
    }
  }

  it('opens one hedge per main position after the trigger DCA, sized at 50% of the main', () => {
    expect(counts.hedges).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });

  it('protects each hedge with a TP 1% below and an SL 2% above its average', () => {
    expect(counts.protections).toBe(counts.hedges);
  });

  it('closes a hedge without TP/SL together with its main position', () => {
    const s2 = scenarioSettings({ ...settingsInput, dual_side_entry_tp_trigger_type: 'do_not_close', use_dual_sl: false });
    const run2 = simulate({ strategy, state: strategy.init({ botId: 'h', settings: s2, market: BTC_MARKET, timeframe: '1h' }), candles, market: BTC_MARKET });
    let m = 0;
    let h = 0;
    let closedWithMain = 0;
    for (const e of run2.events) {
      if (e.kind !== 'fill') continue;
      const f = e.fill;
      const delta = f.tag === 'entry' || f.tag === 'dca' || f.tag === 'hedge_entry' ? f.amount : -f.amount;
      if (f.positionSide === 'long') m = Number((m + delta).toFixed(6));
      else h = Number((h + delta).toFixed(6));
      if (f.positionSide === 'long' && m === 0 && delta < 0 && h > 0) {
        const closes = run2.events.filter((x) => x.kind === 'intent' && x.intent.action === 'place' && x.intent.key === `${f.key}>hedge_close:0`);
        expect(closes).toHaveLength(1);
        expect(closes[0]).toMatchObject({ intent: { type: 'market', side: 'buy', positionSide: 'short', reduceOnly: true, amount: h } });
        closedWithMain++;
      }
    }
    expect(closedWithMain).toBeGreaterThan(2);
    // the strategy's own view of both positions matches the simulator's at the end
    expect(run2.position.short).toBe(run2.state.hedge?.size ?? 0);
    expect(run2.position.long).toBe(run2.state.main?.size ?? 0);
  });

  it('hedge fills happen on the short side only and exits are reduce-only', () => {
    const hedgeFills = run.fills.filter((f) => f.tag.startsWith('hedge_'));
    expect(hedgeFills.length).toBeGreaterThan(counts.hedges);
    expect(hedgeFills.every((f) => f.positionSide === 'short')).toBe(true);
  });
});
