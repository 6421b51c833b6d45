import type { Candle } from '../core/candle';
import {
  type SmaState,
  type StdevState,
  type PivotState,
  type RisingState,
  type FallingState,
  createSmaState,
  updateSma,
  createStdevState,
  updateStdev,
  createPivotHighState,
  updatePivotHigh,
  createPivotLowState,
  updatePivotLow,
  createRisingState,
  updateRising,
  createFallingState,
  updateFalling,
  crossover,
} from '../indicators';

// Bound once at module load: the CommonJS output of swc/tsc reaches imported functions through re-export
// getters on every call, which costs about a third of this hot path's time (measured).
const smaU = updateSma;
const stdevU = updateStdev;
const pivotHighU = updatePivotHigh;
const pivotLowU = updatePivotLow;
const risingU = updateRising;
const fallingU = updateFalling;
const crossoverF = crossover;

/*
 * BB_State (reference/original-system.md §5.2; the Pine source `shared/indicators/trend_state.pine`, lines
 * "BBW" to "BB_State := 0"), in streaming form over CLOSED candles of one timeframe.
 *
 * Pine semantics kept (where the Python ports differ, Pine wins):
 * - `basis = ta.sma(close, 15)`, `dev = 1.5 * ta.stdev(close, 15)` (population), both na until 15 closes;
 *   `bbw = (upper - lower) * 10 / basis`, `bbr = (close - lower) / (upper - lower)` (na when upper == lower).
 * - `ma = ta.sma(bbw, 100)` is na until 100 defined BBW values.
 * - `ph = ta.pivothigh(bbw, 20, 10)`, `pl = ta.pivotlow(bbw, 20, 10)`: confirmed 10 bars after the pivot.
 *   `var` arrays of 50 slots (initially na): `ph` is pushed while `bbw > ma and ph > 0` on the confirming bar,
 *   `pl` while `bbw < ma and pl > 0`; the oldest entry drops out. `ph_avg` = mean of the non-na entries, or
 *   `max(bbw, 5)` while there are none; `pl_avg` likewise with `min(bbw, 5)`.
 * - 2nd length: `bbw_2nd` from sma/stdev(60); `ta.pivotlow(bbw_2nd, 30, 10)` pushed while `bbw_2nd < 1`;
 *   `squeeze_2nd = pl_avg_2nd / 0.7`; the `var bool bbw_2nd_squeeze = true` flag goes false above it and
 *   true below it.
 * - `buzz = ph_avg * 0.7`, `squeeze = pl_avg / 0.7`; state update, starting from the previous (`var`) state:
 *   1. `ta.crossover(bbw, buzz)` (bbw > buzz and bbw[1] <= buzz[1], with the PREVIOUS bar's buzz):
 *      +2 if bbr > 0.5, −2 if bbr < 0.5;
 *   2. `bbw < squeeze and bbw_2nd_squeeze` → −1;
 *   3. +2 with bbr < 0.2 → −2; then −2 with bbr > 0.8 → +2;
 *   4. `((±2) and ta.falling(bbw, 3)) or (bbw > pl_avg and −1 and ta.rising(bbw, 1))` → 0.
 * Every candle is closed here, so `barstate.isconfirmed` is always true.
 *
 * The state is plain JSON data (no NaN): it survives `JSON.parse(JSON.stringify(state))`.
 * O(1) per candle apart from the pivot detectors; the 50-slot averages are recomputed only when a pivot is pushed.
 */

export type BbStateValue = -2 | -1 | 0 | 2;

const LENGTH = 15;
const MULT = 1.5;
const MA_LENGTH = 100;
const PIVOT_LEFT = 20;
const PIVOT_RIGHT = 10;
const LENGTH_2ND = 60;
const PIVOT_LEFT_2ND = 30;
const ARRAY_SIZE = 50;
const MULT_PLPH = 0.7;

/** Fixed-size FIFO of the last `ARRAY_SIZE` pushed pivot values, with their mean. */
export interface PivotRing {
  buf: number[];
  pos: number;
  count: number;
  mean: number;
}

function createRing(): PivotRing {
  const buf = new Array<number>(ARRAY_SIZE);
  for (let i = 0; i < ARRAY_SIZE; i++) buf[i] = 0;
  return { buf, pos: 0, count: 0, mean: 0 };
}

function pushRing(r: PivotRing, x: number): void {
  r.buf[r.pos] = x;
  r.pos = r.pos + 1 === ARRAY_SIZE ? 0 : r.pos + 1;
  if (r.count < ARRAY_SIZE) r.count++;
  // Recomputed (not slid) so the mean never drifts, oldest first as Pine's array.sum; this runs only on the
  // rare bars that push a pivot. The oldest entry is at `pos` once full, at 0 before.
  let sum = 0;
  let j = r.count === ARRAY_SIZE ? r.pos : 0;
  for (let k = 0; k < r.count; k++) {
    sum += r.buf[j];
    j = j + 1 === ARRAY_SIZE ? 0 : j + 1;
  }
  r.mean = sum / r.count;
}

export interface BbStateState {
  readonly v: 1;
  basis: SmaState;
  dev: StdevState;
  bbwMa: SmaState;
  /** Defined BBW values seen (saturates at MA_LENGTH): `ma` is defined once it reaches MA_LENGTH. */
  bbwCount: number;
  ph: PivotState;
  pl: PivotState;
  falling: FallingState;
  rising: RisingState;
  phRing: PivotRing;
  plRing: PivotRing;
  basis2: SmaState;
  dev2: StdevState;
  pl2: PivotState;
  pl2Ring: PivotRing;
  squeeze2: boolean;
  /** Whether prevBbw/prevBuzz hold the previous bar's (defined) values. */
  hasPrev: boolean;
  prevBbw: number;
  prevBuzz: number;
  state: BbStateValue;
}

export function createBbStateState(): BbStateState {
  return {
    v: 1,
    basis: createSmaState(LENGTH),
    dev: createStdevState(LENGTH),
    bbwMa: createSmaState(MA_LENGTH),
    bbwCount: 0,
    ph: createPivotHighState(PIVOT_LEFT, PIVOT_RIGHT),
    pl: createPivotLowState(PIVOT_LEFT, PIVOT_RIGHT),
    falling: createFallingState(3),
    rising: createRisingState(1),
    phRing: createRing(),
    plRing: createRing(),
    basis2: createSmaState(LENGTH_2ND),
    dev2: createStdevState(LENGTH_2ND),
    pl2: createPivotLowState(PIVOT_LEFT_2ND, PIVOT_RIGHT),
    pl2Ring: createRing(),
    squeeze2: true,
    hasPrev: false,
    prevBbw: 0,
    prevBuzz: 0,
    state: 0,
  };
}

/**
 * Feeds one closed candle's close; returns BB_State (−2, −1, 0 or +2), or null during warm-up (until the
 * 100-bar SMA of BBW is defined, i.e. the 114th close). The internal `var` state evolves from the first close,
 * as in Pine; only the reported value waits for the warm-up.
 */
export function updateBbState(s: BbStateState, close: number): BbStateValue | null {
  // --- BBW 1st ---
  const basis = smaU(s.basis, close);
  const sd = stdevU(s.dev, close);
  let bbw = NaN;
  let bbr = NaN;
  if (sd === sd && basis === basis) {
    const dev = MULT * sd;
    const upper = basis + dev;
    const lower = basis - dev;
    if (basis !== 0) bbw = ((upper - lower) * 10) / basis;
    if (upper !== lower) bbr = (close - lower) / (upper - lower);
  }
  let ma = NaN;
  let ph = NaN;
  let pl = NaN;
  let falling = false;
  let rising = false;
  if (bbw === bbw) {
    const m = smaU(s.bbwMa, bbw);
    if (s.bbwCount < MA_LENGTH) s.bbwCount++;
    if (s.bbwCount === MA_LENGTH) ma = m;
    ph = pivotHighU(s.ph, bbw);
    pl = pivotLowU(s.pl, bbw);
    falling = fallingU(s.falling, bbw);
    rising = risingU(s.rising, bbw);
  }
  if (bbw > ma && ph > 0) pushRing(s.phRing, ph);
  if (bbw < ma && pl > 0) pushRing(s.plRing, pl);
  const phAvg = s.phRing.count !== 0 ? s.phRing.mean : bbw === bbw ? Math.max(bbw, 5) : NaN;
  const plAvg = s.plRing.count !== 0 ? s.plRing.mean : bbw === bbw ? Math.min(bbw, 5) : NaN;

  // --- BBW 2nd ---
  const basis2 = smaU(s.basis2, close);
  const sd2 = stdevU(s.dev2, close);
  let bbw2 = NaN;
  if (sd2 === sd2 && basis2 === basis2 && basis2 !== 0) {
    const dev2 = MULT * sd2;
    bbw2 = ((basis2 + dev2 - (basis2 - dev2)) * 10) / basis2; // Pine's literal form, for identical rounding
  }
  let pl2 = NaN;
  if (bbw2 === bbw2) pl2 = pivotLowU(s.pl2, bbw2);
  if (bbw2 < 1 && pl2 > 0) pushRing(s.pl2Ring, pl2);
  const plAvg2 = s.pl2Ring.count !== 0 ? s.pl2Ring.mean : bbw2 === bbw2 ? Math.min(bbw2, 5) : NaN;
  const squeeze2nd = plAvg2 * (1 / MULT_PLPH);
  if (bbw2 > squeeze2nd) s.squeeze2 = false;
  if (bbw2 < squeeze2nd) s.squeeze2 = true;

  // --- state update ---
  const buzz = phAvg * MULT_PLPH;
  const squeeze = plAvg * (1 / MULT_PLPH);
  let st = s.state;
  if (s.hasPrev && crossoverF(s.prevBbw, s.prevBuzz, bbw, buzz)) {
    if (bbr > 0.5) st = 2;
    else if (bbr < 0.5) st = -2;
  }
  if (bbw < squeeze && s.squeeze2) st = -1;
  if (st === 2 && bbr < 0.2) st = -2;
  if (st === -2 && bbr > 0.8) st = 2;
  if (((st === 2 || st === -2) && falling) || (bbw > plAvg && st === -1 && rising)) st = 0;
  s.state = st;

  if (bbw === bbw && buzz === buzz) {
    s.hasPrev = true;
    s.prevBbw = bbw;
    s.prevBuzz = buzz;
  } else {
    s.hasPrev = false;
  }
  return s.bbwCount === MA_LENGTH ? st : null;
}

/**
 * Batch BB_State over candles of one timeframe, or directly over their closes: Float64Array of −2/−1/0/2,
 * NaN during warm-up. (For BB_State on a higher timeframe, resample first: `resampleCandles`.)
 */
export function bbStateSeries(input: readonly Candle[] | ArrayLike<number>): Float64Array {
  const s = createBbStateState();
  const n = input.length;
  const out = new Float64Array(n);
  const isCandles = n > 0 && typeof input[0] === 'object';
  for (let i = 0; i < n; i++) {
    const close = isCandles ? (input as readonly Candle[])[i].close : (input as ArrayLike<number>)[i];
    const v = updateBbState(s, close);
    out[i] = v === null ? NaN : v;
  }
  return out;
}
