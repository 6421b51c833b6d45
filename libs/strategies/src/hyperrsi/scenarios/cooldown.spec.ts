import { describe, expect, it } from 'vitest';
import { createHyperrsiStrategy } from '../hyperrsi.strategy';
import { ETH_5M_FILE, ETH_MARKET, loadCandles, referenceRsi, scenarioSettings } from '../testing/reference';
import { simulate } from '../testing/simulate';

// Scenario: cooldown (use_cooldown, cooldown_time 1800 s = 6 bars of 5m) on ETH 5m January 2021, long,
// in_zone entries and DCAs (no price condition, RSI gate on) so the RSI alone would add on every in-zone
// bar. §2.4/§2.5: the cooldown starts at every entry and DCA fill and at every exit fill, measured in
// candle time; an entry or DCA needs the decision time (candle close) >= the cooldown end.
describe('scenario: cooldown after entries, DCAs and exits (ETH 5m)', () => {
  const candles = loadCandles(ETH_5M_FILE);
  const tf = 300_000;
  const cd = 1_800_000;
  const rsi = referenceRsi(
    candles.map((c) => c.close),
    14,
  );
  const settings = scenarioSettings({
    direction: 'long',
    entry_option: 'in_zone',
    use_cooldown: true,
    cooldown_time: 1800,
    pyramiding_limit: 3,
    use_check_DCA_with_price: false,
    use_rsi_with_pyramiding: true,
    trailing_stop_active: false,
    tp1_value: 0.4,
    tp2_value: 0.8,
    tp3_value: 1.2,
  });
  const expected: string[] = [];
  const actual: string[] = [];
  let blockedByCooldown = 0;
  let cursor = 0;
  let size = 0;
  let entries = 0;
  let pending = false;
  let cooldownEnd = 0;
  const strategy = createHyperrsiStrategy();
  const state = strategy.init({ botId: 'b', settings, market: ETH_MARKET, timeframe: '5m' });
  simulate({
    strategy,
    state,
    candles,
    market: ETH_MARKET,
    afterDecide: (i, res, events) => {
      for (; cursor < events.length; cursor++) {
        const e = events[cursor];
        if (e.kind === 'intent' && e.intent.action === 'place' && (e.intent.tag === 'entry' || e.intent.tag === 'dca')) pending = true;
        if (e.kind !== 'fill') continue;
        const f = e.fill;
        cooldownEnd = Math.max(cooldownEnd, f.time + cd);
        if (f.tag === 'entry' || f.tag === 'dca') {
          size = Number((size + f.amount).toFixed(6));
          entries += 1;
          pending = false;
        } else {
          size = Number((size - f.amount).toFixed(6));
          if (size <= 0) {
            size = 0;
            entries = 0;
          }
        }
      }
      const now = candles[i].time + tf;
      const signal = rsi[i - 1] != null && rsi[i] != null && rsi[i]! < 30;
      const wants = signal && !pending && (size === 0 ? 'entry' : entries < 3 ? 'dca' : null);
      if (wants) {
        if (now >= cooldownEnd) expected.push(`${i}:${wants}`);
        else blockedByCooldown++;
      }
      for (const it of res.intents) if (it.action === 'place' && (it.tag === 'entry' || it.tag === 'dca')) actual.push(`${i}:${it.tag}`);
    },
  });

  it('enters and adds exactly when the signal holds and the cooldown has ended', () => {
    expect(expected.filter((x) => x.endsWith('entry')).length).toBeGreaterThan(10);
    expect(expected.filter((x) => x.endsWith('dca')).length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });

  it('really blocked signals with the cooldown', () => {
    expect(blockedByCooldown).toBeGreaterThan(20);
  });
});
