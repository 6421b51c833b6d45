import { describe, expect, it } from 'vitest';
import type { Fill, OrderIntent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, scenarioSettings } from '../testing/reference';

// Scenario: dust close (§2.1 step 10, min_sustain_contract_size of §2.4) on BTC 1h. TP ratios 50 / 49.9 /
// 0.1 summing to 100 -> min_sustain = max(1% of the entry, the market minimum). Trailing starts at TP2, so
// after TP1 and TP2 fill only a sliver is left: the next closed candle closes it 100% at market.
describe('scenario: dust close after the TPs (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const settings = scenarioSettings({
    investment: 1000,
    direction: 'long',
    pyramiding_limit: 1,
    tp1_ratio: 50,
    tp2_ratio: 49.9,
    tp3_ratio: 0.1,
    trailing_start_point: 'tp2',
  });
  const strategy = createHyperrsiStrategy();
  const fillOf = (o: OrderIntent, price: number, time: number): Fill => ({
    key: o.key,
    side: o.side,
    positionSide: o.positionSide,
    amount: o.amount,
    price,
    fee: 0,
    time,
    tag: o.tag,
    remaining: 0,
  });

  it('closes the remainder once it is at or below min_sustain, cancelling the trailing stop', () => {
    let st = strategy.init({ botId: 'd', settings, market: BTC_MARKET, timeframe: '1h' });
    let i = 0;
    let entry: OrderIntent | undefined;
    for (; i < candles.length && !entry; i++) {
      const r = strategy.decide(st, candles[i], BTC_MARKET);
      st = r.state;
      entry = r.intents.find((x): x is OrderIntent => x.action === 'place' && x.tag === 'entry');
    }
    const A = entry!.amount;
    let r = strategy.onFill(st, fillOf(entry!, candles[i].open, candles[i].time));
    st = r.state;
    expect(st.main!.minSustain).toBeCloseTo(Math.max(A * 0.01, 0.001), 12);
    const [tp1, tp2] = r.intents.filter((x): x is OrderIntent => x.action === 'place');
    expect([tp1.tag, tp2.tag]).toEqual(['tp1', 'tp2']);
    st = strategy.onFill(st, fillOf(tp1, tp1.price!, candles[i].time + 1000)).state;
    r = strategy.onFill(st, fillOf(tp2, tp2.price!, candles[i].time + 2000));
    st = r.state;
    const trailing = r.intents.find((x): x is OrderIntent => x.action === 'place' && x.tag === 'trailing')!;
    const left = Number((A - tp1.amount - tp2.amount).toFixed(3));
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(Math.max(A * 0.01, 0.001));
    expect(st.main!.size).toBe(left);

    r = strategy.decide(st, candles[i], BTC_MARKET);
    expect(r.intents).toEqual([
      { action: 'cancel', key: trailing.key, reason: 'close: dust' },
      // the close is tagged with its reason, so the trade's exit reads 'dust'
      { action: 'place', key: `d:${candles[i].time}:dust:0`, type: 'market', side: 'sell', positionSide: 'long', amount: left, reduceOnly: true, tag: 'dust' },
    ]);
    expect(r.state.main!.closing).toBe(true);
    // nothing more while the close is in flight
    expect(strategy.decide(r.state, candles[i + 1], BTC_MARKET).intents).toEqual([]);
  });
});
