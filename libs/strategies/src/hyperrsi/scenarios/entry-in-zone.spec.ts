import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { ETH_5M_FILE, ETH_MARKET, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { placedIntents, simulate } from '../testing/simulate';

// Scenario: entry_option in_zone (original "초과") with thresholds 25/75 on ETH/USDT 5m, short only.
// §2.2: short when curr > overbought. The first bars (RSI warming up) must never signal — the original
// reported RSI 0 there, which read as "oversold"; here warm-up values are absent.
describe('scenario: in_zone short entries (ETH 5m, 25/75)', () => {
  const candles = loadCandles(ETH_5M_FILE);
  const settings = scenarioSettings({ entry_option: '초과', direction: '숏', rsi_oversold: 25, rsi_overbought: 75 });
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
  const run = simulate({ strategy, state, candles, market: ETH_MARKET, closeOnPlace: (it) => (it.tag === 'entry' ? 'rejected' : null) });

  it('enters short on exactly the bars where RSI(14) is above 75, until the failure hard stop', () => {
    const rsi = referenceRsi(
      candles.map((c) => c.close),
      14,
    );
    const signalBars: number[] = [];
    for (let i = 1; i < candles.length; i++) {
      const prev = rsi[i - 1];
      const curr = rsi[i];
      if (prev !== null && curr !== null && curr > 75) signalBars.push(i);
    }
    expect(signalBars.length).toBeGreaterThan(5);
    // every entry is REJECTED here: §2.4 stops entering after 5 consecutive failures
    expect(placedIntents(run.events, 'entry').map((e) => e.i)).toEqual(signalBars.slice(0, 5));
    expect(run.state.halted).toBe(true);
    expect(run.state.entryFailCount).toBe(5);
    expect(run.state.lastSkip).toBe('entry_halted_after_failures');
  });
});
