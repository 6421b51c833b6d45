import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/contract';
import { atr, mamaFama } from '../../indicators';
import { gridStrategy, type GridState } from '../grid.strategy';
import { ETH_SPOT, eth5m, floorTo } from '../testing/fixtures';

/*
 * Scenario: the adaptive grid's levels on ETH/USDT 5m (first 300 candles of January 2021) against a
 * straightforward, column-by-column re-computation of reference §3.3 written here the way the original
 * pandas code reads (whole series per column, ewm(span=5, adjust=False), clamps against the previous column,
 * round 8, then ewm of every column). FAMA and ATR come from the shared indicators' batch forms.
 */
function ewm5(x: number[]): number[] {
  const a = 2 / 6;
  const out: number[] = [];
  for (let t = 0; t < x.length; t++) out.push(t === 0 ? x[0] : a * x[t] + (1 - a) * out[t - 1]);
  return out;
}

function referenceLevels(fama: number[], atrS: number[]): number[][] {
  const bandMult = 0.5;
  const minDiff = 0.004;
  const T = fama.length;
  const cols: number[][] = [];
  const atrEff = atrS.map((v, t) => Math.max(v, fama[t] * minDiff));
  for (let n = 0; n <= 20; n++) {
    const k = 11 - n;
    const perc = ewm5(fama.map((m) => m * (1 - bandMult * 0.012 * k)));
    const atrl = ewm5(fama.map((m, t) => m - atrEff[t] * k * 1.5));
    const col: number[] = [];
    for (let t = 0; t < T; t++) {
      let lvl = (perc[t] + atrl[t]) / 2;
      if (n > 1) {
        const prev = cols[n - 1][t];
        const d = (lvl - prev) / prev;
        const maxGap = Math.min(0.05 * Math.abs(k), 0.5);
        if (Math.abs(d) > maxGap) lvl = d > 0 ? fama[t] * (1 - maxGap) : fama[t] * (1 + maxGap);
        if (Math.abs(d) < minDiff) lvl = d > 0 ? prev * (1 + minDiff) : prev * (1 - minDiff);
      }
      col.push(Math.round(lvl * 1e8) / 1e8);
    }
    cols.push(col);
  }
  return cols.map(ewm5); // second smoothing, per column across time
}

describe('adaptive grid: FAMA/ATR hybrid levels (§3.3)', () => {
  const candles = eth5m().slice(0, 300);
  const close = Float64Array.from(candles.map((c) => c.close));
  const fama = Array.from(mamaFama(close, 0.5, 0.05).fama);
  const atrS = Array.from(atr(candles.map((c) => c.high), candles.map((c) => c.low), close, 14));
  const ref = referenceLevels(fama, atrS);

  const settings = gridStrategy.parseSettings({ mode: 'adaptive', direction: 'long', gridNum: 25, investment: 1_000, useRegimeFilter: false });
  const state: GridState = gridStrategy.init({ botId: 'a', settings, market: ETH_SPOT, timeframe: '5m' });
  const ladders: number[][] = [];
  const intentsAt: OrderIntent[][] = [];
  let s = state;
  for (const c of candles) {
    const r = gridStrategy.decide(s, c, ETH_SPOT);
    s = r.state;
    ladders.push([...s.ladder]);
    intentsAt.push(r.intents.filter((i): i is OrderIntent => i.action === 'place'));
  }

  it('matches the reference levels 1..20 at every bar once running, with the extension above 20 and level 0 below 1', () => {
    for (let t = 49; t < candles.length; t += 25) {
      const L = ladders[t];
      for (let n = 1; n <= 20; n++) expect(L[n]).toBeCloseTo(ref[n][t], 6);
      expect(L[0]).toBeCloseTo(ref[1][t] * 0.992, 6);
      for (let i = 21; i <= 26; i++) expect(L[i]).toBeCloseTo(ref[20][t] * (1 + 0.008 * (i - 20)), 6);
    }
  });

  it('level 11 sits on FAMA-ish and levels increase with n (spot check of the shape)', () => {
    const t = 299;
    for (let n = 2; n <= 20; n++) expect(ref[n][t]).toBeGreaterThan(ref[n - 1][t]);
    expect(Math.abs(ref[11][t] - fama[t]) / fama[t]).toBeLessThan(0.01);
  });

  it('warms up for 49 candles, then arms only the nearest levels: of the 4 nearest, the 2 below the close, each one level lower (n−1)', () => {
    for (let t = 0; t < 49; t++) expect(intentsAt[t]).toEqual([]);
    const t = 49;
    const c = candles[t];
    const lvl = (j: number) => (ref[j] ? ref[j][t] : ref[20][t] * (1 + 0.008 * (j - 20)));
    // the 4 levels nearest the close (of 1..25; ties: the lower level), then those below the close, nearest first
    const byDistance = Array.from({ length: 25 }, (_, k) => k + 1).sort((a, b) => Math.abs(lvl(a) - c.close) - Math.abs(lvl(b) - c.close) || a - b);
    const below = byDistance.slice(0, 4).filter((j) => lvl(j) < c.close).sort((a, b) => lvl(b) - lvl(a)).slice(0, 2);
    expect(below.length).toBe(2);
    // each arms a buy at the level under it (slot n−1), at that level's price floored to the tick
    const expected = below
      .map((n) => n - 1)
      .sort((a, b) => a - b)
      .map((j) => {
        const price = floorTo(lvl(j) < 0.9 * c.close ? (lvl(j) + c.close) / 2 : lvl(j), 2);
        return { key: `a:${c.time}:open:${j}`, price, amount: floorTo(1_000 / 25 / price, 4) };
      });
    expect(intentsAt[t].map((i) => ({ key: i.key, price: i.price, amount: i.amount }))).toEqual(expected);
    // at no later candle does the grid rest more than 2 + 2 entries (armed + nearer ones kept)
    expect(Math.max(...intentsAt.map((x) => x.filter((i) => i.tag === 'grid_open').length))).toBeLessThanOrEqual(4);
  });
});
