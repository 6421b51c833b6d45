import { describe, expect, it } from 'vitest';
import { resampleCandles } from '../../core/resample';
import { adx } from '../../indicators';
import { gridStrategy } from '../grid.strategy';
import { createRegimeState, updateRegime } from '../grid.regime';
import { BTC_SPOT, btc1h } from '../testing/fixtures';

/*
 * Scenario: the 4h ADX regime (§3.4) over BTC 2024. Expected states come from a row-by-row transcription of
 * the original update_adx_state loop (written here over whole arrays, NaN-aware like pandas) fed with the
 * shared ADX (28/28) on 4h candles aggregated from the 1h fixture.
 */
function referenceStates(h: number[], l: number[], c: number[], a: Float64Array, plus: Float64Array, minus: Float64Array, th: number): number[] {
  const n = c.length;
  const out = new Array<number>(n).fill(0);
  const rollHigh = (i: number) => (i < 49 ? NaN : Math.max(...h.slice(i - 49, i + 1)));
  const rollLow = (i: number) => (i < 49 ? NaN : Math.min(...l.slice(i - 49, i + 1)));
  const at = (x: Float64Array, i: number) => (i < 0 ? NaN : x[i]);
  for (let i = 1; i < n; i++) {
    let cur = out[i - 1];
    if (cur === 0) {
      if (plus[i] > minus[i] && plus[i - 1] <= minus[i - 1]) cur = 1;
      else if (minus[i] > plus[i] && minus[i - 1] <= plus[i - 1]) cur = -1;
    } else if (cur >= 1) {
      if (a[i] > a[i - 1] && a[i - 1] > at(a, i - 2)) cur = 2;
    } else if (cur <= -1) {
      if (a[i] > a[i - 1] && a[i - 1] > at(a, i - 2)) cur = -2;
    }
    if (cur === -2 && c[i] >= rollLow(i) * 1.1) cur = 0;
    else if (cur === 2 && c[i] <= rollHigh(i) * 0.9) cur = 0;
    if (cur !== 0 && ((a[i] < th && a[i - 1] >= th) || (a[i] < a[i - 1] && a[i - 1] < at(a, i - 2) && at(a, i - 2) < at(a, i - 3) && a[i] > th))) cur = 0;
    out[i] = cur;
  }
  return out;
}

describe('4h ADX regime state', () => {
  const h1 = btc1h();
  const h4 = resampleCandles(h1, '1h', '4h');
  const H = h4.map((x) => x.high);
  const L = h4.map((x) => x.low);
  const C = h4.map((x) => x.close);
  const d = adx(H, L, C, 28, 28);
  const expected = referenceStates(H, L, C, d.adx, d.plusDi, d.minusDi, 20);

  it('streams the same −2..+2 sequence as the original loop, visiting every state', () => {
    const s = createRegimeState(28, 20);
    const got = h4.map((x) => updateRegime(s, x.high, x.low, x.close));
    expect(got).toEqual(expected);
    for (const v of [-2, -1, 0, 1, 2]) expect(got).toContain(v);
  });

  it('the strategy uses a 4h bar only once it has closed (1h chart)', () => {
    const settings = gridStrategy.parseSettings({ mode: 'adaptive', investment: 1_000 });
    let state = gridStrategy.init({ botId: 'r', settings, market: BTC_SPOT, timeframe: '1h' });
    const fourH = 4 * 3_600_000;
    for (const c of h1.slice(0, 24 * 60)) {
      state = gridStrategy.decide(state, c, BTC_SPOT).state;
      // 4h bars whose close time ≤ this 1h candle's close time
      const closed = Math.floor((c.time + 3_600_000 - h1[0].time) / fourH);
      expect(state.regime).toBe(closed > 0 ? expected[closed - 1] : 0);
    }
  });

  it('blocks new long entries while the regime is −2', () => {
    const settings = gridStrategy.parseSettings({ mode: 'adaptive', investment: 1_000 });
    let state = gridStrategy.init({ botId: 'r', settings, market: BTC_SPOT, timeframe: '1h' });
    let checked = 0;
    for (const c of h1.slice(0, 24 * 120)) {
      const r = gridStrategy.decide(state, c, BTC_SPOT);
      state = r.state;
      if (state.regime === -2 && state.status === 'running') {
        checked++;
        expect(r.intents.filter((i) => i.action === 'place' && i.tag === 'grid_open')).toEqual([]);
        expect(state.slots.filter((s) => s.st === 'open_order' && s.leg === 'long')).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
