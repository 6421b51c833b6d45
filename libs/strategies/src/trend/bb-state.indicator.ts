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
 * BB_State (docs/strategy-rules.md §5.2; the Pine source `shared/indicators/trend_state.pine`, lines
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
// here over their own state objects (the same SmaState / StdevState / PivotState / TrendState shapes, so the JSON
// state is unchanged) instead of being called: V8 does not inline that many callees into one function, and each
// call of a non-inlined function with a double argument or result boxes the double on the heap; together that
// cost more than the arithmetic (measured: 250 -> ~150 ns per close). Only the rare paths stay functions, with
// integer arguments and results. The arithmetic is the indicator modules' own, operation for operation
// (moving-average.indicator.ts updateSma, volatility.indicator.ts pushWindowMoments/updateStdev,
// cross.indicator.ts updateRising/updateFalling, pivot.indicator.ts updatePivotHigh/Low), so every value is
// bit-identical; the specs compare against an independent Pine transcription. A bar goes through four stages
// (firstBand, bbwPivots, secondBand, nextState), each called once per bar without a double argument or result
// (they hand their values over in `stage`): as fast as the single 359-line function was (BB_State over 2M closes,
// CPU min of 5 under load 14: 0.27-0.28 s vs 0.30-0.34 s), values bit-identical.
// ---------------------------------------------------------------------------------------------------

/**
 * Whether the candidate `right` bars before the newest value (ring index `newest`) can be a pivot (high or low)
 * at all: false only when both its neighbours are defined and it lies strictly between them (then neither
 * pivot test can pass: a pivot high needs next < cand >= prev, a pivot low next > cand <= prev). Without a
 * branch on the data, this rejects most bars at the cost of one well-predicted branch; the exact tests follow.
 * (x - y < 0 exactly when x < y for doubles, so the product's sign is exact; a product that underflows to 0
 * or is NaN errs on the side of testing.)
 */
function pivotCandidate(q: PivotState, newest: number): boolean {
  const size = q.size;
  let c = newest - q.right;
  if (c < 0) c += size;
  const valid = q.valid;
  if (valid[c] === 0) return false; // a missing candidate is never a pivot
  const nb = c + 1 === size ? 0 : c + 1; // lag right - 1
  const ob = c === 0 ? size - 1 : c - 1; // lag right + 1
  if (q.right === 0 || q.left === 0 || (valid[nb] & valid[ob]) === 0) return true;
  const buf = q.buf;
  const cand = buf[c];
  return !((buf[nb] - cand) * (buf[ob] - cand) < 0);
}

/**
 * updatePivotHigh's test of the candidate `right` bars before `newest`: no newer bar >= it and no older bar
 * > it (the immediate neighbours first: the test is a pure AND, so the order does not change the result).
 * Returns the candidate's ring index, or -1.
 */
function pivotHighAt(q: PivotState, newest: number): number {
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

/** updatePivotLow's test (see pivotHighAt). */
function pivotLowAt(q: PivotState, newest: number): number {
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

/**
 * Feeds one closed candle's close; returns BB_State (−2, −1, 0 or +2), or null during warm-up (until the
 * 100-bar SMA of BBW is defined, i.e. the 114th close). The internal `var` state evolves from the first close,
 * as in Pine; only the reported value waits for the warm-up.
 */
export function updateBbState(s: BbStateState, close: number): BbStateValue | null {
  closeBox.close = close; // a double field updated in place
  return updateBbStateBar(s, closeBox);
}

const closeBox = { close: 0.5 };

/**
 * `updateBbState(s, bar.close)`, reading the close from a candle-like object: for callers that hold candles
 * (trend-state.indicator.ts), so the close is never passed as a (heap-boxed) double argument.
 */
export function updateBbStateBar(s: BbStateState, bar: { readonly close: number }): BbStateValue | null {
  firstBand(s, bar); // bbw, bbr
  bbwPivots(s); // ph_avg, pl_avg
  secondBand(s, bar); // squeeze2
  return nextState(s);
}

/**
 * What one bar's stages hand each other: written and read within one updateBbStateBar call (never kept across
 * calls, so bars of many bots can interleave), in a typed array so the doubles never box between the stages.
 */
const stage = new Float64Array(4);
const BBW = 0;
const BBR = 1;
const PH_AVG = 2;
const PL_AVG = 3;

/** BBW and BB %B of sma/stdev(close, 15). */
function firstBand(s: BbStateState, c: { readonly close: number }): void {
  const close = c.close;
  const finite = close - close === 0;
  // basis = sma(...) (updateSma)
  let basis: number;
  {
    const q = s.basis;
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
    if (finite) {
      buf[p] = close;
      valid[p] = 1;
      sum += close;
      vc++;
    } else {
      buf[p] = 0;
      valid[p] = 0;
    }
    let next = p + 1;
    if (next === len) {
      next = 0;
      sum = 0;
      for (let i = 0; i < len; i++) sum += buf[i];
    }
    q.pos = next;
    q.sum = sum;
    q.validCount = vc;
    basis = vc > 0 ? sum / vc : NaN;
  }
  // sd = stdev(close, ...) (updateStdev: a non-finite close is ignored; pushWindowMoments)
  let sd = NaN;
  if (finite) {
    const w = s.dev;
    const len = w.length;
    const buf = w.buf;
    const p = w.pos;
    let s1 = w.s1;
    let s2 = w.s2;
    let cnt = w.count;
    if (cnt === len) {
      const d = buf[p] - w.shift;
      s1 -= d;
      s2 -= d * d;
    } else {
      if (cnt === 0) w.shift = close;
      cnt++;
    }
    buf[p] = close;
    const d = close - w.shift; // read back, not merged with `close` in a local: that made it a boxed value
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
      w.shift = k; // stored only when it changes (as pushWindowMoments): a store per bar boxed the double
    }
    w.pos = next;
    w.s1 = s1;
    w.s2 = s2;
    w.count = cnt;
    if (cnt === len) {
      const m = s1 / len;
      const v = s2 / len - m * m;
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
  stage[BBW] = bbw;
  stage[BBR] = bbr;
}

/** sma(bbw, 100), the BBW pivots and their 50-entry averages (the buzz and squeeze levels' bases). */
function bbwPivots(s: BbStateState): void {
  const bbw = stage[BBW];
  const hasBbw = bbw === bbw;
  const bbwFinite = bbw - bbw === 0;
  let ma = NaN;
  let ph = NaN;
  let pl = NaN;
  if (hasBbw) {
    // ma = sma(bbw, 100) (updateSma)
    const q = s.bbwMa;
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
    if (bbwFinite) {
      buf[p] = bbw;
      valid[p] = 1;
      sum += bbw;
      vc++;
    } else {
      buf[p] = 0;
      valid[p] = 0;
    }
    let next = p + 1;
    if (next === len) {
      next = 0;
      sum = 0;
      for (let i = 0; i < len; i++) sum += buf[i];
    }
    q.pos = next;
    q.sum = sum;
    q.validCount = vc;
    if (s.bbwCount < MA_LENGTH) s.bbwCount++;
    if (s.bbwCount === MA_LENGTH) ma = vc > 0 ? sum / vc : NaN;
    // ph = pivothigh(bbw, 20, 10), pl = pivotlow(bbw, 20, 10) (updatePivotHigh / updatePivotLow): the push written
    // out, then the branch-free neighbour pre-test, then (about one bar in four) the exact test
    const bv = bbwFinite ? bbw : 0;
    const bValid = bbwFinite ? 1 : 0;
    {
      const q = s.ph;
      const size = q.size;
      const pp = q.pos;
      q.buf[pp] = bv;
      q.valid[pp] = bValid;
      q.pos = pp + 1 === size ? 0 : pp + 1;
      if (q.count < size) q.count++;
      if (q.count === size && pivotCandidate(q, pp)) {
        const i = pivotHighAt(q, pp);
        if (i >= 0) ph = q.buf[i];
      }
    }
    {
      const q = s.pl;
      const size = q.size;
      const pp = q.pos;
      q.buf[pp] = bv;
      q.valid[pp] = bValid;
      q.pos = pp + 1 === size ? 0 : pp + 1;
      if (q.count < size) q.count++;
      if (q.count === size && pivotCandidate(q, pp)) {
        const i = pivotLowAt(q, pp);
        if (i >= 0) pl = q.buf[i];
      }
    }
  }
  if (bbw > ma && ph > 0) pushRing(s.phRing, ph);
  if (bbw < ma && pl > 0) pushRing(s.plRing, pl);
  const phAvg = s.phRing.count !== 0 ? s.phRing.mean : hasBbw ? Math.max(bbw, 5) : NaN;
  const plAvg = s.plRing.count !== 0 ? s.plRing.mean : hasBbw ? Math.min(bbw, 5) : NaN;

  stage[PH_AVG] = phAvg;
  stage[PL_AVG] = plAvg;
}

/** BBW of sma/stdev(close, 60) and its pivot lows: the 2nd-band squeeze flag (s.squeeze2). */
function secondBand(s: BbStateState, c: { readonly close: number }): void {
  const close = c.close;
  const finite = close - close === 0;
  // pl2 = pivotlow(bbw_2nd, 30, 10)
  // Deliberately the same code as the 1st band, written out again: a shared helper called twice measured ~5% slower
  // on the HYPERRSI decision pass (2.19M vs 2.32M candles/s), whose target is 2M.
  // basis2 = sma(...) (updateSma)
  let basis2: number;
  {
    const q = s.basis2;
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
    if (finite) {
      buf[p] = close;
      valid[p] = 1;
      sum += close;
      vc++;
    } else {
      buf[p] = 0;
      valid[p] = 0;
    }
    let next = p + 1;
    if (next === len) {
      next = 0;
      sum = 0;
      for (let i = 0; i < len; i++) sum += buf[i];
    }
    q.pos = next;
    q.sum = sum;
    q.validCount = vc;
    basis2 = vc > 0 ? sum / vc : NaN;
  }
  // sd2 = stdev(close, ...) (updateStdev: a non-finite close is ignored; pushWindowMoments)
  let sd2 = NaN;
  if (finite) {
    const w = s.dev2;
    const len = w.length;
    const buf = w.buf;
    const p = w.pos;
    let s1 = w.s1;
    let s2 = w.s2;
    let cnt = w.count;
    if (cnt === len) {
      const d = buf[p] - w.shift;
      s1 -= d;
      s2 -= d * d;
    } else {
      if (cnt === 0) w.shift = close;
      cnt++;
    }
    buf[p] = close;
    const d = close - w.shift; // read back, not merged with `close` in a local: that made it a boxed value
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
      w.shift = k; // stored only when it changes (as pushWindowMoments): a store per bar boxed the double
    }
    w.pos = next;
    w.s1 = s1;
    w.s2 = s2;
    w.count = cnt;
    if (cnt === len) {
      const m = s1 / len;
      const v = s2 / len - m * m;
      sd2 = v > 0 ? Math.sqrt(v) : 0;
    }
  }
  let bbw2 = NaN;
  if (sd2 === sd2 && basis2 === basis2 && basis2 !== 0) {
    const dev2 = MULT * sd2;
    bbw2 = ((basis2 + dev2 - (basis2 - dev2)) * 10) / basis2; // Pine's literal form, for identical rounding
  }
  let pl2 = NaN;
  if (bbw2 === bbw2) {
    const f2 = bbw2 - bbw2 === 0;
    const q = s.pl2;
    const size = q.size;
    const pp = q.pos;
    q.buf[pp] = f2 ? bbw2 : 0;
    q.valid[pp] = f2 ? 1 : 0;
    q.pos = pp + 1 === size ? 0 : pp + 1;
    if (q.count < size) q.count++;
    if (q.count === size && pivotCandidate(q, pp)) {
      const i = pivotLowAt(q, pp);
      if (i >= 0) pl2 = q.buf[i];
    }
  }
  if (bbw2 < 1 && pl2 > 0) pushRing(s.pl2Ring, pl2);
  const plAvg2 = s.pl2Ring.count !== 0 ? s.pl2Ring.mean : bbw2 === bbw2 ? Math.min(bbw2, 5) : NaN;
  const squeeze2nd = plAvg2 * (1 / MULT_PLPH);
  if (bbw2 > squeeze2nd) s.squeeze2 = false;
  if (bbw2 < squeeze2nd) s.squeeze2 = true;

}

/** The state rule on this bar's values: breakout (±2) on a buzz crossover, squeeze (−1), reset (0). */
function nextState(s: BbStateState): BbStateValue | null {
  const bbw = stage[BBW];
  const bbr = stage[BBR];
  const phAvg = stage[PH_AVG];
  const plAvg = stage[PL_AVG];
  const hasBbw = bbw === bbw;
  const bbwFinite = bbw - bbw === 0;
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
  // ((±2) and ta.falling(bbw, 3)) or (bbw > pl_avg and −1 and ta.rising(bbw, 1)) → 0. falling/rising are only
  // evaluated where the rule reads them (they compare with the values BEFORE this bar's push, done below), and
  // are false while BBW is undefined, as updateFalling/updateRising are not called then.
  if (hasBbw) {
    const fq = s.falling;
    const rq = s.rising;
    let reset = false;
    if ((st === 2 || st === -2) && fq.count === fq.length && bbwFinite) {
      // ta.falling(bbw, 3) (updateFalling): below each previous value, all defined
      const buf = fq.buf;
      const valid = fq.valid;
      reset = true;
      for (let i = 0; i < fq.length; i++) {
        if (valid[i] === 0 || !(bbw < buf[i])) {
          reset = false;
          break;
        }
      }
    }
    if (!reset && bbw > plAvg && st === -1 && rq.count === rq.length && bbwFinite) {
      // ta.rising(bbw, 1) (updateRising)
      const buf = rq.buf;
      const valid = rq.valid;
      reset = true;
      for (let i = 0; i < rq.length; i++) {
        if (valid[i] === 0 || !(bbw > buf[i])) {
          reset = false;
          break;
        }
      }
    }
    if (reset) st = 0;
    // pushTrend of both (cross.indicator.ts)
    const bv = bbwFinite ? bbw : 0;
    const bValid = bbwFinite ? 1 : 0;
    let p = fq.pos;
    fq.buf[p] = bv;
    fq.valid[p] = bValid;
    fq.pos = p + 1 === fq.length ? 0 : p + 1;
    if (fq.count < fq.length) fq.count++;
    p = rq.pos;
    rq.buf[p] = bv;
    rq.valid[p] = bValid;
    rq.pos = p + 1 === rq.length ? 0 : p + 1;
    if (rq.count < rq.length) rq.count++;
  }
  s.state = st;

  if (hasBbw && buzz === buzz) {
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
