import { describe, expect, it } from 'vitest';
import type { Fill, Intent } from '../../core/contract';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { ETH_5M_FILE, ETH_MARKET, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: the position lock (§2.4, §7.1) — at most one entry or DCA per candle, and none while one is in
// flight — on ETH 5m, in_zone entries and DCAs with no price condition and no cooldown, so the RSI alone
// asks for an order on every in-zone bar.
describe('scenario: one entry or DCA per candle (ETH 5m)', () => {
  const candles = loadCandles(ETH_5M_FILE);
  const rsi = referenceRsi(
    candles.map((c) => c.close),
    14,
  );
  const settings = scenarioSettings({
    direction: 'both',
    entry_option: 'in_zone',
    pyramiding_limit: 10,
    use_check_DCA_with_price: false,
    use_rsi_with_pyramiding: true,
  });
  const inZone = (i: number) => rsi[i] !== null && rsi[i - 1] !== null && rsi[i]! < 30;
  // the first run of 4 consecutive long-signal bars
  let start = -1;
  for (let i = 20; i < candles.length - 4 && start < 0; i++) if ([0, 1, 2, 3].every((k) => inZone(i + k)) && !inZone(i - 1)) start = i;

  it('holds back further entries while the entry order is unfilled, then adds one per candle', () => {
    expect(start).toBeGreaterThan(0);
    const strategy = createHyperrsiStrategy();
    let st = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
    let intents: Intent[] = [];
    for (let i = 0; i <= start; i++) {
      ({ state: st, intents } = strategy.decide(st, candles[i], ETH_MARKET));
      // earlier signals: let their entries expire so the strategy is flat when the run starts
      if (i < start) for (const it of intents) st = strategy.onOrderClosed(st, { key: it.key, status: 'expired', time: candles[i + 1].time }).state;
    }
    expect(intents).toHaveLength(1);
    const entry = intents[0];
    expect(entry).toMatchObject({ action: 'place', tag: 'entry', positionSide: 'long' });
    // two more in-zone candles with the entry still in flight: nothing
    for (const i of [start + 1, start + 2]) {
      const r = strategy.decide(st, candles[i], ETH_MARKET);
      st = r.state;
      expect(r.intents).toEqual([]);
      expect(st.pendingKey).toBe(entry.key);
    }
    // the same candle again (a retried job): ignored
    expect(strategy.decide(st, candles[start + 2], ETH_MARKET).intents).toEqual([]);
    const fill: Fill = { key: entry.key, side: 'buy', positionSide: 'long', amount: (entry as { amount: number }).amount, price: candles[start + 3].open, fee: 0, time: candles[start + 3].time, tag: 'entry', remaining: 0 };
    st = strategy.onFill(st, fill).state;
    expect(st.pendingKey).toBeNull();
    const r = strategy.decide(st, candles[start + 3], ETH_MARKET);
    expect(r.intents.filter((x) => x.action === 'place' && (x.tag === 'entry' || x.tag === 'dca'))).toEqual([
      expect.objectContaining({ tag: 'dca', key: `b:${candles[start + 3].time}:dca:0` }),
    ]);
  });

  it('over the whole month: never two entries/DCAs in one decision, and consecutive in-zone bars each add', () => {
    const strategy = createHyperrsiStrategy();
    const st = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
    const perBar = new Map<number, number>();
    const run = simulate({
      strategy,
      state: st,
      candles,
      market: ETH_MARKET,
      afterDecide: (i, res) => {
        const n = res.intents.filter((x) => x.action === 'place' && (x.tag === 'entry' || x.tag === 'dca')).length;
        if (n > 0) perBar.set(i, n);
      },
    });
    expect(Math.max(...perBar.values())).toBe(1);
    const bars = [...perBar.keys()];
    const consecutive = bars.filter((b, k) => k > 0 && bars[k - 1] === b - 1).length;
    expect(consecutive).toBeGreaterThan(10);
    // every fill of an entry/DCA came from a distinct candle's decision
    const keys = run.fills.filter((f) => f.tag === 'entry' || f.tag === 'dca').map((f) => f.key.split(':')[1]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
