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
// here over their own state objects (the same SmaState / StdevState / PivotState / TrendState shapes, so the JSON
// state is unchanged) instead of being called: V8 does not inline that many callees into one function, and each
// call of a non-inlined function with a double argument or result boxes the double on the heap; together that
// cost more than the arithmetic. The arithmetic is the indicator modules' own, operation for operation
// (moving-average.indicator.ts updateSma, volatility.indicator.ts pushWindowMoments/updateStdev,
// cross.indicator.ts updateRising/updateFalling, pivot.indicator.ts updatePivotHigh/Low), so every value is
// bit-identical; the specs compare against an independent Pine transcription.
// ---------------------------------------------------------------------------------------------------

/** Results of `band` (module scratch: its double fields are updated in place, nothing is allocated). */
const bandOut = { bbw: NaN, bbr: NaN };

/**
 * One Bollinger width step: basis = sma(close, n) (updateSma), sd = stdev(close, n) (updateStdev over the window
 * moments), then `bbw = (upper - lower) * 10 / basis` and `bbr = (close - lower) / (upper - lower)` into bandOut
 * (NaN when undefined). `finite` is `close - close === 0`.
 */
function band(q: SmaState, w: StdevState, close: number, finite: boolean): void {
  // sma (updateSma)
  let basis: number;
  {
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
  // stdev (updateStdev: a non-finite close is ignored; pushWindowMoments)
  let sd = NaN;
  if (finite) {
    const len = w.length;
    const buf = w.buf;
    const p = w.pos;
    let s1 = w.s1;
    let s2 = w.s2;
    let cnt = w.count;
    let shift = w.shift;
    if (cnt === len) {
      const d = buf[p] - shift;
      s1 -= d;
      s2 -= d * d;
    } else {
      if (cnt === 0) shift = close;
      cnt++;
    }
    buf[p] = close;
    const d = close - shift;
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
      shift = k;
    }
    w.pos = next;
    w.s1 = s1;
    w.s2 = s2;
    w.count = cnt;
    w.shift = shift;
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
    // (basis2 + dev2 - (basis2 - dev2)) * 10 / basis2 of the 2nd length is this same expression
    if (basis !== 0) bbw = ((upper - lower) * 10) / basis;
    if (upper !== lower) bbr = (close - lower) / (upper - lower);
  }
  bandOut.bbw = bbw;
  bandOut.bbr = bbr;
}

/**
 * pivot.indicator.ts push() of the bar's value (already stored by the caller at `q.pos`): advances the ring and
 * returns the index of the newest value, or -1 while the window is not full.
 */
function advancePivot(q: PivotState): number {
  const p = q.pos;
  q.pos = p + 1 === q.size ? 0 : p + 1;
  if (q.count < q.size) {
    q.count++;
    if (q.count < q.size) return -1;
  }
  return p;
}

/**
 * updatePivotHigh's test of the candidate at ring index `c` (lag `right` from `newest`): no newer bar >= it and
 * no older bar > it. The caller has already checked the candidate is valid and tried the immediate neighbours
 * (the test is a pure AND, so the order of the comparisons does not change the result).
 */
function isPivotHigh(q: PivotState, newest: number, c: number): boolean {
  const size = q.size;
  const buf = q.buf;
  const valid = q.valid;
  const cand = buf[c];
  let j = newest;
  for (let lag = 0; lag < q.right; lag++) {
    if (valid[j] === 1 && buf[j] >= cand) return false;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < q.left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] > cand) return false;
  }
  return true;
}

/** updatePivotLow's test (see isPivotHigh). */
function isPivotLow(q: PivotState, newest: number, c: number): boolean {
  const size = q.size;
  const buf = q.buf;
  const valid = q.valid;
  const cand = buf[c];
  let j = newest;
  for (let lag = 0; lag < q.right; lag++) {
    if (valid[j] === 1 && buf[j] <= cand) return false;
    j = j === 0 ? size - 1 : j - 1;
  }
  j = c;
  for (let k = 0; k < q.left; k++) {
    j = j === 0 ? size - 1 : j - 1;
    if (valid[j] === 1 && buf[j] < cand) return false;
  }
  return true;
}

/**
 * Feeds one closed candle's close; returns BB_State (−2, −1, 0 or +2), or null during warm-up (until the
 * 100-bar SMA of BBW is defined, i.e. the 114th close). The internal `var` state evolves from the first close,
 * as in Pine; only the reported value waits for the warm-up.
 */
export function updateBbState(s: BbStateState, close: number): BbStateValue | null {
  const finite = close - close === 0;
  // --- BBW 1st: sma/stdev(close, 15) ---
  band(s.basis, s.dev, close, finite);
  const bbw = bandOut.bbw;
  const bbr = bandOut.bbr;
  let ma = NaN;
  let ph = NaN;
  let pl = NaN;
  let falling = false;
  let rising = false;
  if (bbw === bbw) {
    const bbwFinite = bbw - bbw === 0;
    // ma = sma(bbw, 100) (updateSma)
    {
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
    }
    // ph = pivothigh(bbw, 20, 10) (updatePivotHigh)
    {
      const q = s.ph;
      const buf = q.buf;
      const valid = q.valid;
      const p = q.pos;
      buf[p] = bbwFinite ? bbw : 0;
      valid[p] = bbwFinite ? 1 : 0;
      const newest = advancePivot(q);
      if (newest >= 0) {
        const size = q.size;
        let c = newest - q.right;
        if (c < 0) c += size;
        if (valid[c] === 1) {
          const cand = buf[c];
          const nb = c + 1 === size ? 0 : c + 1; // lag right - 1
          const ob = c === 0 ? size - 1 : c - 1; // lag right + 1
          if (
            !(q.right > 0 && valid[nb] === 1 && buf[nb] >= cand) &&
            !(q.left > 0 && valid[ob] === 1 && buf[ob] > cand) &&
            isPivotHigh(q, newest, c)
          ) {
            ph = cand;
          }
        }
      }
    }
    // pl = pivotlow(bbw, 20, 10) (updatePivotLow)
    {
      const q = s.pl;
      const buf = q.buf;
      const valid = q.valid;
      const p = q.pos;
      buf[p] = bbwFinite ? bbw : 0;
      valid[p] = bbwFinite ? 1 : 0;
      const newest = advancePivot(q);
      if (newest >= 0) {
        const size = q.size;
        let c = newest - q.right;
        if (c < 0) c += size;
        if (valid[c] === 1) {
          const cand = buf[c];
          const nb = c + 1 === size ? 0 : c + 1;
          const ob = c === 0 ? size - 1 : c - 1;
          if (
            !(q.right > 0 && valid[nb] === 1 && buf[nb] <= cand) &&
            !(q.left > 0 && valid[ob] === 1 && buf[ob] < cand) &&
            isPivotLow(q, newest, c)
          ) {
            pl = cand;
          }
        }
      }
    }
    // ta.falling(bbw, 3) / ta.rising(bbw, 1) (updateFalling / updateRising): compare with the previous values,
    // then push (cross.indicator.ts pushTrend)
    {
      const q = s.falling;
      const len = q.length;
      const buf = q.buf;
      const valid = q.valid;
      let f = q.count === len && bbwFinite;
      if (f) {
        for (let i = 0; i < len; i++) {
          if (valid[i] === 0 || !(bbw < buf[i])) {
            f = false;
            break;
          }
        }
      }
      const p = q.pos;
      buf[p] = bbwFinite ? bbw : 0;
      valid[p] = bbwFinite ? 1 : 0;
      q.pos = p + 1 === len ? 0 : p + 1;
      if (q.count < len) q.count++;
      falling = f;
    }
    {
      const q = s.rising;
      const len = q.length;
      const buf = q.buf;
      const valid = q.valid;
      let r = q.count === len && bbwFinite;
      if (r) {
        for (let i = 0; i < len; i++) {
          if (valid[i] === 0 || !(bbw > buf[i])) {
            r = false;
            break;
          }
        }
      }
      const p = q.pos;
      buf[p] = bbwFinite ? bbw : 0;
      valid[p] = bbwFinite ? 1 : 0;
      q.pos = p + 1 === len ? 0 : p + 1;
      if (q.count < len) q.count++;
      rising = r;
    }
  }
  if (bbw > ma && ph > 0) pushRing(s.phRing, ph);
  if (bbw < ma && pl > 0) pushRing(s.plRing, pl);
  const phAvg = s.phRing.count !== 0 ? s.phRing.mean : bbw === bbw ? Math.max(bbw, 5) : NaN;
  const plAvg = s.plRing.count !== 0 ? s.plRing.mean : bbw === bbw ? Math.min(bbw, 5) : NaN;

  // --- BBW 2nd: sma/stdev(close, 60) ---
  band(s.basis2, s.dev2, close, finite);
  const bbw2 = bandOut.bbw;
  let pl2 = NaN;
  if (bbw2 === bbw2) {
    // pl2 = pivotlow(bbw_2nd, 30, 10) (updatePivotLow)
    const bbw2Finite = bbw2 - bbw2 === 0;
    const q = s.pl2;
    const buf = q.buf;
    const valid = q.valid;
    const p = q.pos;
    buf[p] = bbw2Finite ? bbw2 : 0;
    valid[p] = bbw2Finite ? 1 : 0;
    const newest = advancePivot(q);
    if (newest >= 0) {
      const size = q.size;
      let c = newest - q.right;
      if (c < 0) c += size;
      if (valid[c] === 1) {
        const cand = buf[c];
        const nb = c + 1 === size ? 0 : c + 1;
        const ob = c === 0 ? size - 1 : c - 1;
        if (
          !(q.right > 0 && valid[nb] === 1 && buf[nb] <= cand) &&
          !(q.left > 0 && valid[ob] === 1 && buf[ob] < cand) &&
          isPivotLow(q, newest, c)
        ) {
          pl2 = cand;
        }
      }
    }
  }
  if (bbw2 < 1 && pl2 > 0) pushRing(s.pl2Ring, pl2);
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
