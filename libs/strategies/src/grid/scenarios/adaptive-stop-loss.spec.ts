import { describe, expect, it } from 'vitest';
import type { Fill, OrderIntent } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';
import { BTC_SPOT, btc1h, indexAt } from '../testing/fixtures';
import { simulate } from '../testing/simulate';

// Scenario: the adaptive long grid into the August 2024 BTC sell-off (≈ 66k → 49k) with stop_loss 3%.
describe('stop loss % on the averaged position', () => {
  const all = btc1h();
  const candles = all.slice(indexAt(all, '2024-07-25T00:00:00Z'), indexAt(all, '2024-08-10T00:00:00Z'));
  const settings = gridStrategy.parseSettings({ mode: 'adaptive', direction: 'long', investment: 2_000, leverage: 1, stop_loss: 3, useRegimeFilter: false });
  const sim = simulate(gridStrategy, { botId: 's', settings, market: BTC_SPOT, timeframe: '1h' }, candles);
  const closeEv = sim.events.find((e) => e.source === 'decide' && 'intent' in e && e.intent.action === 'place' && e.intent.tag === 'grid_sl');

  /** Long position after every fill up to and including candle k, replayed from the fills (independent). */
  function positionAt(k: number): { qty: number; avg: number } {
    let qty = 0;
    let avg = 0;
    for (const e of sim.events) {
      if (e.at > k) break;
      if (!('fill' in e)) continue;
      const f: Fill = e.fill;
      if (f.side === 'buy') {
        avg = (avg * qty + f.price * f.amount) / (qty + f.amount);
        qty += f.amount;
      } else {
        qty -= f.amount;
        if (qty < 1e-12) { qty = 0; avg = 0; }
      }
    }
    return { qty, avg };
  }

  it('market-closes the whole position at the first close more than 3% below the average entry', () => {
    expect(closeEv).toBeDefined();
    const k = (closeEv as { at: number }).at;
    const pnl = (kk: number): number => {
      const p = positionAt(kk);
      return p.qty > 0 ? ((candles[kk].close - p.avg) / p.avg) * 100 : 0;
    };
    expect(pnl(k)).toBeLessThan(-3);
    for (let kk = 0; kk < k; kk++) expect(pnl(kk)).toBeGreaterThanOrEqual(-3);
    const close = (closeEv as { intent: OrderIntent }).intent;
    expect(close).toMatchObject({ type: 'market', side: 'sell', positionSide: 'long', amount: Number(positionAt(k).qty.toFixed(5)), key: `s:${candles[k].time}:close:0` });
  });

  it('cancels every resting order in the same decision and then stays flat and silent', () => {
    const k = (closeEv as { at: number }).at;
    // resting keys just before the stop decision, rebuilt from the event log
    const resting = new Set<string>();
    for (const e of sim.events) {
      if (e.at > k || (e.at === k && e.source === 'decide')) continue;
      if ('fill' in e) resting.delete(e.fill.key);
      else if (e.intent.action === 'place') resting.add(e.intent.key);
      else resting.delete(e.intent.key);
    }
    const cancels = sim.events.filter((e) => e.at === k && e.source === 'decide' && 'intent' in e && e.intent.action === 'cancel').map((e) => ('intent' in e ? e.intent.key : ''));
    expect(new Set(cancels)).toEqual(resting);
    expect(sim.events.filter((e) => e.at > k && e.source === 'decide')).toEqual([]);
    expect(sim.state.status).toBe('stopped');
    expect(sim.state.stopReason).toBe('stop_loss');
    expect(sim.state.long.qty).toBe(0);
    expect(sim.state.metrics.realizedPnl).toBeLessThan(0);
  });
});
