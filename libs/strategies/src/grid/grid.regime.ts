import { type AdxState, type AdxValue, createAdxState, updateAdx as updateAdxImport } from '../indicators';

/** Bound once at module load (the indicators' re-export is two getters per call otherwise). */
const updateAdx = updateAdxImport;

/*
 * The adaptive grid's regime filter: the 4h ADX state −2..+2 (docs/strategy-rules.md §3.4,
 * GRID/indicators/grid_specific.py::update_adx_state), streaming, one call per CLOSED higher-timeframe bar.
 *
 *   from 0:  +DI crosses above −DI → 1;  −DI crosses above +DI → −1
 *   ±1 → ±2 when ADX rose two bars in a row (adx > adx[1] > adx[2])
 *   −2 → 0 when close ≥ lowest low(50)·1.1;  +2 → 0 when close ≤ highest high(50)·0.9
 *   any non-zero → 0 when ADX crosses below th, or ADX fell 3 bars in a row while above th
 *
 * Values still warming up (NaN in the original) never satisfy a comparison, as in pandas.
 */

const WINDOW = 50;

export interface RegimeState {
  adx: AdxState;
  threshold: number;
  state: number;
  bars: number;
  /** Last four ADX/DI values, newest first; null = not yet defined (NaN). */
  adxHist: (number | null)[];
  prevPlus: number | null;
  prevMinus: number | null;
  /** Ring buffers of the last 50 highs/lows (rolling max/min include the current bar). */
  highs: number[];
  lows: number[];
  pos: number;
}

export function createRegimeState(adxLength: number, threshold: number): RegimeState {
  return {
    adx: createAdxState(adxLength, adxLength),
    threshold,
    state: 0,
    bars: 0,
    adxHist: [null, null, null, null],
    prevPlus: null,
    prevMinus: null,
    highs: new Array<number>(WINDOW).fill(0),
    lows: new Array<number>(WINDOW).fill(0),
    pos: 0,
  };
}

const scratch: AdxValue = { adx: NaN, plusDi: NaN, minusDi: NaN };

function num(x: number | null): number {
  return x === null ? NaN : x;
}

/** Feeds one closed HTF bar and returns the regime state after it. */
export function updateRegime(s: RegimeState, high: number, low: number, close: number): number {
  const v = updateAdx(s.adx, high, low, close, scratch);
  s.highs[s.pos] = high;
  s.lows[s.pos] = low;
  s.pos = (s.pos + 1) % WINDOW;
  s.bars++;
  const h = s.adxHist;
  h[3] = h[2];
  h[2] = h[1];
  h[1] = h[0];
  h[0] = v.adx === v.adx ? v.adx : null;
  const plus = v.plusDi;
  const minus = v.minusDi;
  const pPlus = num(s.prevPlus);
  const pMinus = num(s.prevMinus);
  s.prevPlus = plus === plus ? plus : null;
  s.prevMinus = minus === minus ? minus : null;
  if (s.bars === 1) return s.state; // the original loop starts at bar 1

  const a0 = num(h[0]);
  const a1 = num(h[1]);
  const a2 = num(h[2]);
  const a3 = num(h[3]);
  const th = s.threshold;
  let cur = s.state;
  if (cur === 0) {
    if (plus > minus && pPlus <= pMinus) cur = 1;
    else if (minus > plus && pMinus <= pPlus) cur = -1;
  } else if (cur >= 1) {
    if (a0 > a1 && a1 > a2) cur = 2;
  } else if (a0 > a1 && a1 > a2) {
    cur = -2;
  }
  if (s.bars >= WINDOW && (cur === -2 || cur === 2)) {
    // the 50-bar extreme is read only in a ±2 regime (the lowest low for −2, the highest high for +2)
    if (cur === -2) {
      let lo = Infinity;
      for (let i = 0; i < WINDOW; i++) if (s.lows[i] < lo) lo = s.lows[i];
      if (close >= lo * 1.1) cur = 0;
    } else {
      let hi = -Infinity;
      for (let i = 0; i < WINDOW; i++) if (s.highs[i] > hi) hi = s.highs[i];
      if (close <= hi * 0.9) cur = 0;
    }
  }
  if (cur !== 0 && ((a0 < th && a1 >= th) || (a0 < a1 && a1 < a2 && a2 < a3 && a0 > th))) cur = 0;
  s.state = cur;
  return cur;
}
