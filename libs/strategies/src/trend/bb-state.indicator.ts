import type { Candle } from '../core/candle';
import {
  type SmaState,
  type StdevState,
  type PivotState,
  type RisingState,
  type FallingState,
  createSmaState,
  createStdevState,
  createPivotHighState,
  createPivotLowState,
  createRisingState,
  createFallingState,
} from '../indicators';

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
 * O(1) per candle apart from the pivot detectors (which reject most bars on a neighbour); the 50-slot averages are
 * recomputed only when a pivot is pushed.
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

// ---------------------------------------------------------------------------------------------------
// Hot path. updateBbState is the largest item of the HYPERRSI decision pass (it runs on every 1h candle), so
// the streaming updates of SMA, stdev (window moments), rising/falling and the pivot detectors are written out
// here over their own state objects (the same SmaState / StdevState / PivotState / TrendState shapes, so the
// JSON state is unchanged) instead of being called: each call of a non-inlined function that returns a double
// boxes it on the heap, and that (plus the calls) cost about as much as the arithmetic. The arithmetic is the
// indicator modules' own, operation for operation (moving-average.indicator.ts updateSma, volatility.indicator.ts
// pushWindowMoments/updateStdev, cross.indicator.ts updateRising/updateFalling, pivot.indicator.ts), so every
// value is bit-identical; the specs compare against an independent Pine transcription.
// ---------------------------------------------------------------------------------------------------

/** updateSma's state update; the caller reads the mean as `validCount > 0 ? sum / validCount : NaN`. */
function pushSma(q: SmaState, x: number): void {
  const len = q.length;
  const buf = q.buf;
  const valid = q.valid;
  const p = q.pos;
  let sum = q.sum;
  let vc = q.validCount;
  if (q.filled === len) {
    if (valid[p] === 1) {
      sum -= buf[p];
      vc--;
    }
  } else {
    q.filled++;
  }
  if (x - x === 0) {
    buf[p] = x;
    valid[p] = 1;
    sum += x;
    vc++;
  } else {
    buf[p] = 0;
    valid[p] = 0;
  }
  let next = p + 1;
  if (next === len) {
    next = 0;
    let t = 0;
    for (let i = 0; i < len; i++) t += buf[i];
    sum = t;
  }
  q.pos = next;
  q.sum = sum;
  q.validCount = vc;
}

/** pushWindowMoments for a FINITE x; returns true once the window is full (then updateStdev's value is defined). */
function pushMoments(w: StdevState, x: number): boolean {
  const len = w.length;
  const buf = w.buf;
  const p = w.pos;
  let s1 = w.s1;
  let s2 = w.s2;
  if (w.count === len) {
    const d = buf[p] - w.shift;
    s1 -= d;
    s2 -= d * d;
  } else {
    if (w.count === 0) w.shift = x;
    w.count++;
  }
  buf[p] = x;
  const d = x - w.shift;
  s1 += d;
  s2 += d * d;
  let next = p + 1;
  if (next === len) {
    next = 0;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += buf[i];
    const k = sum / len;
    s1 = 0;
    s2 = 0;
    for (let i = 0; i < len; i++) {
      const e = buf[i] - k;
      s1 += e;
      s2 += e * e;
    }
    w.shift = k;
  }
  w.s1 = s1;
  w.s2 = s2;
  w.pos = next;
  return w.count === len;
}

/** pivot.indicator.ts push(): returns the ring index of the newest value, or -1 while the window is not full. */
function pushPivot(q: PivotState, x: number): number {
  const p = q.pos;
  if (x - x === 0) {
    q.buf[p] = x;
    q.valid[p] = 1;
  } else {
    q.buf[p] = 0;
    q.valid[p] = 0;
  }
  q.pos = p + 1 === q.size ? 0 : p + 1;
  if (q.count < q.size) {
    q.count++;
    if (q.count < q.size) return -1;
  }
  return p;
}

/**
 * updatePivotHigh as a ring index: the index of the pivot high confirmed at this bar in `q.buf`, or -1
 * (an integer return is never boxed). The same conditions as updatePivotHigh; the immediate neighbours are
 * tested first (the test is a pure AND of comparisons, so the order does not change the result, and a
 * neighbour rejects almost every bar).
 */
function pivotHighIndex(q: PivotState, x: number): number {
  const newest = pushPivot(q, x);
  if (newest < 0) return -1;
  const size = q.size;
  const buf = q.buf;
  const valid = q.valid;
  const right = q.right;
  const left = q.left;
  let c = newest - right;
  if (c < 0) c += size;
  if (valid[c] === 0) return -1;
  const cand = buf[c];
  if (right > 0) {
    const nb = c + 1 === size ? 0 : c + 1;
    if (valid[nb] === 1 && buf[nb] >= cand) return -1;
  }
  if (left > 0) {
    const ob = c === 0 ? size - 1 : c - 1;
    if (valid[ob] === 1 && buf[ob] > cand) return -1;
  }
  let j = newest;
  for (let lag = 0; lag < right; lag++) {
    if (valid[j] === 1 && buf[j] >= cand) return -1;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] > cand) return -1;
  }
  return c;
}

/** updatePivotLow as a ring index (see pivotHighIndex). */
function pivotLowIndex(q: PivotState, x: number): number {
  const newest = pushPivot(q, x);
  if (newest < 0) return -1;
  const size = q.size;
  const buf = q.buf;
  const valid = q.valid;
  const right = q.right;
  const left = q.left;
  let c = newest - right;
  if (c < 0) c += size;
  if (valid[c] === 0) return -1;
  const cand = buf[c];
  if (right > 0) {
    const nb = c + 1 === size ? 0 : c + 1;
    if (valid[nb] === 1 && buf[nb] <= cand) return -1;
  }
  if (left > 0) {
    const ob = c === 0 ? size - 1 : c - 1;
    if (valid[ob] === 1 && buf[ob] < cand) return -1;
  }
  let j = newest;
  for (let lag = 0; lag < right; lag++) {
    if (valid[j] === 1 && buf[j] <= cand) return -1;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] < cand) return -1;
  }
  return c;
}

/** cross.indicator.ts pushTrend. */
function pushTrend(q: RisingState, x: number): void {
  const p = q.pos;
  if (x - x === 0) {
    q.buf[p] = x;
    q.valid[p] = 1;
  } else {
    q.buf[p] = 0;
    q.valid[p] = 0;
  }
  q.pos = p + 1 === q.length ? 0 : p + 1;
  if (q.count < q.length) q.count++;
}

/**
 * Feeds one closed candle's close; returns BB_State (−2, −1, 0 or +2), or null during warm-up (until the
 * 100-bar SMA of BBW is defined, i.e. the 114th close). The internal `var` state evolves from the first close,
 * as in Pine; only the reported value waits for the warm-up.
 */
export function updateBbState(s: BbStateState, close: number): BbStateValue | null {
  const finite = close - close === 0;
  // --- BBW 1st: basis = sma(close, 15), sd = stdev(close, 15) ---
  const qb = s.basis;
  pushSma(qb, close);
  const basis = qb.validCount > 0 ? qb.sum / qb.validCount : NaN;
  let sd = NaN;
  if (finite) {
    const w = s.dev;
    if (pushMoments(w, close)) {
      const n = w.length;
      const m = w.s1 / n;
      const v = w.s2 / n - m * m;
      sd = v > 0 ? Math.sqrt(v) : 0;
    }
  }
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
  let falling = false;
  let rising = false;
  let phIdx = -1;
  let plIdx = -1;
  if (bbw === bbw) {
    const qm = s.bbwMa;
    pushSma(qm, bbw);
    if (s.bbwCount < MA_LENGTH) s.bbwCount++;
    if (s.bbwCount === MA_LENGTH) ma = qm.validCount > 0 ? qm.sum / qm.validCount : NaN;
    phIdx = pivotHighIndex(s.ph, bbw);
    plIdx = pivotLowIndex(s.pl, bbw);
    const bbwFinite = bbw - bbw === 0;
    // ta.falling(bbw, 3) / ta.rising(bbw, 1) (updateFalling / updateRising): compare, then push
    const fq = s.falling;
    let f = fq.count === fq.length && bbwFinite;
    if (f) {
      const buf = fq.buf;
      const valid = fq.valid;
      for (let i = 0; i < fq.length; i++) {
        if (valid[i] === 0 || !(bbw < buf[i])) {
          f = false;
          break;
        }
      }
    }
    pushTrend(fq, bbw);
    falling = f;
    const rq = s.rising;
    let r = rq.count === rq.length && bbwFinite;
    if (r) {
      const buf = rq.buf;
      const valid = rq.valid;
      for (let i = 0; i < rq.length; i++) {
        if (valid[i] === 0 || !(bbw > buf[i])) {
          r = false;
          break;
        }
      }
    }
    pushTrend(rq, bbw);
    rising = r;
  }
  // a confirmed pivot is > 0 only when finite and positive; NaN (no pivot) fails `> 0` as before
  if (phIdx >= 0 && bbw > ma) {
    const ph = s.ph.buf[phIdx];
    if (ph > 0) pushRing(s.phRing, ph);
  }
  if (plIdx >= 0 && bbw < ma) {
    const pl = s.pl.buf[plIdx];
    if (pl > 0) pushRing(s.plRing, pl);
  }
  const phAvg = s.phRing.count !== 0 ? s.phRing.mean : bbw === bbw ? Math.max(bbw, 5) : NaN;
  const plAvg = s.plRing.count !== 0 ? s.plRing.mean : bbw === bbw ? Math.min(bbw, 5) : NaN;

  // --- BBW 2nd: sma/stdev(close, 60) ---
  const qb2 = s.basis2;
  pushSma(qb2, close);
  const basis2 = qb2.validCount > 0 ? qb2.sum / qb2.validCount : NaN;
  let sd2 = NaN;
  if (finite) {
    const w = s.dev2;
    if (pushMoments(w, close)) {
      const n = w.length;
      const m = w.s1 / n;
      const v = w.s2 / n - m * m;
      sd2 = v > 0 ? Math.sqrt(v) : 0;
    }
  }
  let bbw2 = NaN;
  if (sd2 === sd2 && basis2 === basis2 && basis2 !== 0) {
    const dev2 = MULT * sd2;
    bbw2 = ((basis2 + dev2 - (basis2 - dev2)) * 10) / basis2; // Pine's literal form, for identical rounding
  }
  let pl2Idx = -1;
  if (bbw2 === bbw2) pl2Idx = pivotLowIndex(s.pl2, bbw2);
  if (pl2Idx >= 0 && bbw2 < 1) {
    const pl2 = s.pl2.buf[pl2Idx];
    if (pl2 > 0) pushRing(s.pl2Ring, pl2);
  }
  const plAvg2 = s.pl2Ring.count !== 0 ? s.pl2Ring.mean : bbw2 === bbw2 ? Math.min(bbw2, 5) : NaN;
  const squeeze2nd = plAvg2 * (1 / MULT_PLPH);
  if (bbw2 > squeeze2nd) s.squeeze2 = false;
  if (bbw2 < squeeze2nd) s.squeeze2 = true;

  // --- state update ---
  const buzz = phAvg * MULT_PLPH;
  const squeeze = plAvg * (1 / MULT_PLPH);
  let st = s.state;
  // ta.crossover(bbw, buzz) with the previous bar's values (cross.indicator.ts crossover)
  if (s.hasPrev && bbw > buzz && s.prevBbw <= s.prevBuzz) {
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
