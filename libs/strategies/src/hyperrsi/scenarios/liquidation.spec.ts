import { describe, expect, it } from 'vitest';
import type { CancelIntent, Fill, OrderIntent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, scenarioSettings } from '../testing/reference';

// Scenario: the engine liquidates the long (a fill with tag 'liquidation' and a key HYPERRSI never placed). The
// strategy must forget the position, cancel its take-profits, and not DCA into a position that no longer exists.
describe('scenario: liquidation of the main position (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({ investment: 1000, direction: 'long', pyramiding_limit: 4, use_check_DCA_with_price: false, use_rsi_with_pyramiding: false, use_trend_logic: false });
  const strategy = createHyperrsiStrategy();

  it('a liquidation fill closes the position and cancels its orders; no DCA follows', () => {
    let st = strategy.init({ botId: 'liq', settings, market: BTC_MARKET, timeframe: '1h' });
    let i = 0;
    let entry: OrderIntent | undefined;
    for (; i < candles.length && !entry; i++) {
      const r = strategy.decide(st, candles[i], BTC_MARKET);
      st = r.state;
      entry = r.intents.find((x): x is OrderIntent => x.action === 'place' && x.tag === 'entry');
    }
    const fill = (o: OrderIntent, price: number, time: number): Fill => ({ key: o.key, side: o.side, positionSide: o.positionSide, amount: o.amount, price, fee: 0, time, tag: o.tag, remaining: 0 });
    let r = strategy.onFill(st, fill(entry!, candles[i].open, candles[i].time));
    st = r.state;
    const tps = r.intents.filter((x): x is OrderIntent => x.action === 'place' && x.tag.startsWith('tp'));
    expect(tps.length).toBeGreaterThan(0);
    expect(st.main).not.toBeNull();

    r = strategy.onFill(st, { key: `long:liquidation:${candles[i].time + 1}`, side: 'sell', positionSide: 'long', amount: entry!.amount, price: candles[i].low, fee: 0, time: candles[i].time + 1, tag: 'liquidation', remaining: 0 });
    st = r.state;
    expect(st.main).toBeNull();
    const cancelled = r.intents.filter((x): x is CancelIntent => x.action === 'cancel').map((c) => c.key).sort();
    expect(cancelled).toEqual(tps.map((t) => t.key).sort());

    // the next candles (DCA price checks off, RSI gate off) would have added to a live position; nothing does now
    for (let k = i + 1; k < i + 3; k++) {
      const d = strategy.decide(st, candles[k], BTC_MARKET);
      st = d.state;
      expect(d.intents.filter((x) => x.action === 'place' && (x as OrderIntent).tag === 'dca')).toEqual([]);
    }
  });
});
