import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h, indexAt } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenarios: stop-loss price (BTC fell to 38,555 on 2024-01-23) and take-profit price (BTC > 46,000 in Feb).
describe('range grid: stop-loss and take-profit prices close everything', () => {
  it('stop-loss price: at the first candle touching it, cancels every order and sells the whole position', () => {
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 40_000, upperPrice: 45_000, gridNum: 10, investment: 1_000, stopLossPrice: 39_000 });
    const candles = btc1h().slice(0, 24 * 31);
    const sim = simulate(gridStrategy, { botId: 'p', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    const k = candles.findIndex((c) => c.low <= 39_000);
    expect(k).toBe(indexAt(candles, '2024-01-22T00:00:00Z') + candles.slice(indexAt(candles, '2024-01-22T00:00:00Z')).findIndex((c) => c.low <= 39_000));
    const held = sim.fills.filter((f) => sim.events.find((e) => 'fill' in e && e.fill === f && e.at <= k))
      .reduce((q, f) => q + (f.side === 'buy' ? f.amount : -f.amount), 0);
    const atK = sim.events.filter((e) => e.at === k && e.source === 'decide' && 'intent' in e).map((e) => ('intent' in e ? e.intent : null));
    const close = atK.find((i) => i?.action === 'place') as OrderIntent;
    expect(close).toMatchObject({ type: 'market', side: 'sell', tag: 'grid_sl', amount: Number(held.toFixed(5)) });
    expect(atK.filter((i) => i?.action === 'cancel').length).toBeGreaterThan(0);
    expect(sim.state).toMatchObject({ status: 'stopped', stopReason: 'stop_loss_price', long: { qty: 0, avg: 0 } });
    expect(sim.book).toEqual([]);
  });

  it('take-profit price: closes at the first candle whose high reaches it', () => {
    const all = btc1h();
    const candles = all.slice(indexAt(all, '2024-02-01T00:00:00Z'), indexAt(all, '2024-02-20T00:00:00Z'));
    const settings = gridStrategy.parseSettings({ mode: 'range', lowerPrice: 41_000, upperPrice: 45_000, gridNum: 8, investment: 800, takeProfitPrice: 46_000 });
    const sim = simulate(gridStrategy, { botId: 'p', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
    const k = candles.findIndex((c) => c.high >= 46_000);
    const stopAt = sim.events.find((e) => 'intent' in e && e.source === 'decide' && e.intent.action === 'cancel')?.at;
    expect(stopAt).toBe(k);
    expect(sim.state.stopReason).toBe('take_profit_price');
    expect(sim.events.filter((e) => e.at > k && e.source === 'decide')).toEqual([]);
  });
});
