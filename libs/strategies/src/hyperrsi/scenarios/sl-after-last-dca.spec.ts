import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { BTC_1H_FILE, BTC_MARKET, loadCandles, roundTo, scenarioSettings } from '../testing/reference';
import { simulate, type SimEvent } from '../testing/simulate';

// Scenario: stop loss only after the last DCA (use_sl_on_last), BTC 1h 2024, long, pyramiding_limit 3,
// 2% DCA steps without the RSI gate, SL 3% below the price of the entry that placed it (§2.7: the SL is
// computed from the price at entry, not from the average). Control run: the same without use_sl_on_last.
describe('scenario: SL only after the last DCA (BTC 1h)', () => {
  const candles = loadCandles(BTC_1H_FILE);
  const base = {
    investment: 1000,
    direction: 'long',
    pyramiding_limit: 3,
    pyramiding_value: 2,
    use_rsi_with_pyramiding: false,
    use_sl: true,
    sl_option: 'percent',
    sl_value: 3,
    tp1_value: 6,
    tp2_value: 8,
    tp3_value: 10,
  };
  const runWith = (useSlOnLast: boolean) => {
    const settings = scenarioSettings({ ...base, use_sl_on_last: useSlOnLast });
    const strategy = createHyperrsiStrategy();
    const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
    return simulate({ strategy, state, candles, market: BTC_MARKET });
  };

  /** For every entry/DCA fill: its ordinal in the position, the position size after it, and the SL it caused. */
  const entrySl = (events: readonly SimEvent[]) => {
    const out: { n: number; price: number; size: number; avg: number; sl: OrderIntent | undefined }[] = [];
    let n = 0;
    let size = 0;
    let cost = 0;
    for (const e of events) {
      if (e.kind !== 'fill') continue;
      const f = e.fill;
      if (f.tag === 'entry' || f.tag === 'dca') {
        n += 1;
        size = Number((size + f.amount).toFixed(6));
        cost += f.amount * f.price;
        const sl = events.find((x) => x.kind === 'intent' && x.intent.action === 'place' && x.intent.key.startsWith(`${f.key}>sl:`));
        out.push({ n, price: f.price, size, avg: cost / size, sl: sl && sl.kind === 'intent' ? (sl.intent as OrderIntent) : undefined });
      } else {
        cost -= (cost / size) * f.amount;
        size = Number((size - f.amount).toFixed(6));
        if (size <= 0) {
          n = 0;
          size = 0;
          cost = 0;
        }
      }
    }
    return out;
  };

  const onLast = entrySl(runWith(true).events);
  const always = entrySl(runWith(false).events);

  it('reaches the last DCA several times', () => {
    expect(onLast.filter((x) => x.n === 3).length).toBeGreaterThan(2);
  });

  it('with use_sl_on_last places no SL after the 1st and 2nd entries, and one after the 3rd', () => {
    for (const x of onLast) {
      if (x.n < 3) expect(x.sl).toBeUndefined();
      else expect(x.sl).toMatchObject({ type: 'stop_market', side: 'sell', reduceOnly: true, triggerPrice: roundTo(x.avg * 0.97, 0.1), amount: x.size });
    }
  });

  it('without it rebuilds the SL from the average entry after every entry (not from the DCA fill price)', () => {
    expect(always.length).toBeGreaterThan(5);
    for (const x of always) expect(x.sl).toMatchObject({ triggerPrice: roundTo(x.avg * 0.97, 0.1), amount: x.size });
    const add = always.find((x) => x.n === 2)!;
    expect(roundTo(add.price * 0.97, 0.1)).not.toBe(add.sl!.triggerPrice);
  });

  it("with sl_reference 'entry' keeps the SL at the first entry's distance across DCAs (the original), resized", () => {
    const settings = scenarioSettings({ ...base, use_sl_on_last: false, sl_reference: 'entry' });
    const strategy = createHyperrsiStrategy();
    const state = strategy.init({ botId: 'b', settings, market: BTC_MARKET, timeframe: '1h' });
    const rows = entrySl(simulate({ strategy, state, candles, market: BTC_MARKET }).events);
    let first = 0;
    let checkedAdds = 0;
    for (const x of rows) {
      if (x.n === 1) first = x.price;
      else checkedAdds++;
      expect(x.sl).toMatchObject({ triggerPrice: roundTo(first * 0.97, 0.1), amount: x.size });
    }
    expect(checkedAdds).toBeGreaterThan(2);
  });
});
