import type { Candle } from '../core/candle';
import { type Timeframe, isTimeframe, timeframeMinutes, timeframeFromMinutes } from '../core/timeframe';
import { type ResampleState, canResample, createResampleState, stepResample } from '../core/resample';
import {
  type JmaState,
  type T3State,
  type VidyaState,
  type RationalQuadraticState,
  createJmaState,
  createT3State,
  updateT3,
  createVidyaState,
  updateVidya,
  createRationalQuadraticState,
} from '../indicators';
import { type BbStateState, createBbStateState, updateBbStateBar } from './bb-state.indicator';

/*
 * HYPERRSI's multi-timeframe trend filter `trend_state` ∈ {−2, 0, +2} (docs/strategy-rules.md §5.3;
 * Pine `shared/indicators/trend_state.pine`, "Extreme State"), streaming over CLOSED chart candles.
 *
 * Timeframes (from the chart timeframe, in minutes):
 * - cycle `res_`: ≤3 → 15m, ≤30 → 30m, <240 → 1h, else 8h; an explicit `trendTimeframe` replaces it.
 * - `bb_mtf`:     ≤3 → 5m, ≤15 → 15m, else 1h.
 * - cycle 2:      4h (only with `useLongerTrend`).
 * Higher-timeframe bars are built from the chart candles with the streaming resampler (core/resample.ts) and a
 * higher-timeframe value is used ONLY once its bar has closed: the value used at chart bar t comes from the
 * last HTF bar that closed at or before t's close (no lookahead). A wanted timeframe that cannot be built from
 * the chart candles (finer than the chart, or not a whole multiple of it: 3m → 5m, 6h → 8h, 1d → 8h) falls back
 * to the chart timeframe itself; the effective timeframes are recorded in the state (`cycleTf`, `bbTf`, `cycle2Tf`).
 *
 * Cycle 1 (on `res_` bars): MA1..3 = JMA(5, 10, 20) (phase 50, power 2), or T3(20, 40, 120) with
 * `useLongerTrend`, or T3(c+1, round(2.6c), round(4.8c)) with `customLength` c; each smoothed by the rational
 * quadratic kernel (lookback 30, relative weight 0.5, startAtBar 5).
 *   Bull = (m1 > m2 > m3) || (m2 > m1 > m3);  Bear = (m3 > m2 > m1).
 * Cycle 2 (on 4h bars, only with `useLongerTrend`, ANDed into Bull/Bear): VIDYA(3, 9, 21) (CMO 9),
 *   Bull2 = (v1 > v3 > v2) || (v1 > v2 > v3) || (v2 > v1 > v3); Bear2 = (v3 > v2 > v1) || (v2 > v3 > v1) || (v3 > v1 > v2).
 * BB_State_MTF: BB_State (bb-state.indicator.ts) on `bb_mtf` bars (not needed with `useLongerTrend`).
 * Final state machine (Pine `var`, as written in the reference):
 *   if Bull && (useLongerTrend || BB == 2) → 2; elif prev == 2 && !Bull → 0;
 *   elif Bear && (useLongerTrend || BB == −2) → −2; elif prev == −2 && !Bear → 0; else prev.
 *
 * Warm-up: `updateTrendState` returns null until every input of the state machine is defined (cycle 1 MAs on at
 * least one closed `res_` bar; BB_State_MTF past its own warm-up, or cycle 2 with `useLongerTrend`). The machine
 * starts from 0 at the first ready chart bar.
 *
 * The state is plain JSON data (no NaN, no class instances): store it inside the strategy state, and
 * `JSON.parse(JSON.stringify(state))` continues identically. Per chart candle the work is O(1) and allocation-free.
 *
 * Where the Pine source and the reference (the Python port that produced the live values) differ, this follows
 * the reference: (1) the elif chain above (Pine's sequential `if`s could go +2 → −2 within one bar when Bull ends
 * and a confirmed Bear starts together; here that bar gives 0 and −2 comes on the next bar if it still holds);
 * (2) `useLongerTrend` keeps the `res_` rule (Pine switched `res_` to 1D); (3) a HTF value is used from the chart
 * bar that closes its bucket (the brief's no-lookahead rule; Pine's `f_security(...)[1]` added one more chart bar
 * of delay on historical bars).
 */

// Bound once at module load: the CommonJS output of swc/tsc reaches an imported function through the exporting
// module's getter (two for a re-export) on every call, which cost about a third of this hot path (measured).
const t3U = updateT3;
const vidyaU = updateVidya;
const bbU = updateBbStateBar;
const stepU = stepResample;

export type TrendStateValue = -2 | 0 | 2;

export interface TrendStateOptions {
  /** Pine "장기 트랜드 이용": T3(20, 40, 120) and the 4h VIDYA cycle instead of BB_State. Default false. */
  useLongerTrend?: boolean;
  /** Custom cycle length c → T3(c+1, round(2.6c), round(4.8c)). Integer ≥ 1. Default: none. */
  customLength?: number;
  /** Cycle timeframe `res_`; 'auto' (default) derives it from the chart timeframe. */
  trendTimeframe?: Timeframe | 'auto';
}

type CycleMaState = JmaState | T3State;

export interface TrendStateState {
  readonly v: 1;
  readonly chartTf: Timeframe;
  /** Effective timeframes (see the fallback rule above). */
  readonly cycleTf: Timeframe;
  readonly bbTf: Timeframe | null;
  readonly cycle2Tf: Timeframe | null;
  readonly useLongerTrend: boolean;
  readonly cycleType: 'JMA' | 'T3';
  readonly lengths: readonly [number, number, number];
  /** Whether a chart candle was fed yet. */
  started: boolean;
  /** Open time of the last chart candle (meaningful once `started`). */
  lastTime: number;

  /** null when the cycle timeframe is the chart timeframe (candles are used directly). */
  cycleRs: ResampleState | null;
  ma1: CycleMaState;
  ma2: CycleMaState;
  ma3: CycleMaState;
  rq1: RationalQuadraticState;
  rq2: RationalQuadraticState;
  rq3: RationalQuadraticState;
  cycleReady: boolean;
  bull: boolean;
  bear: boolean;

  bbRs: ResampleState | null;
  bb: BbStateState | null;
  bbReady: boolean;
  bbValue: number;

  cycle2Rs: ResampleState | null;
  v1: VidyaState | null;
  v2: VidyaState | null;
  v3: VidyaState | null;
  cycle2Ready: boolean;
  bull2: boolean;
  bear2: boolean;

  ready: boolean;
  state: TrendStateValue;
}

function tfFromMinutes(m: number): Timeframe {
  const tf = timeframeFromMinutes(m);
  if (!tf) throw new RangeError(`no timeframe of ${m} minutes`);
  return tf;
}

/** The original's automatic trend timeframe `res_` for a chart timeframe (Pine / get_auto_trend_timeframe). */
export function autoTrendTimeframe(chartTf: Timeframe): Timeframe {
  const m = timeframeMinutes(chartTf);
  return tfFromMinutes(m <= 3 ? 15 : m <= 30 ? 30 : m < 240 ? 60 : 480);
}

/** The original's BB_State timeframe `bb_mtf` for a chart timeframe. */
export function bbStateTimeframe(chartTf: Timeframe): Timeframe {
  const m = timeframeMinutes(chartTf);
  return tfFromMinutes(m <= 3 ? 5 : m <= 15 ? 15 : 60);
}

/** `wanted` if it can be built from `chartTf` candles, otherwise `chartTf`. */
function effectiveTf(chartTf: Timeframe, wanted: Timeframe): Timeframe {
  return canResample(chartTf, wanted) ? wanted : chartTf;
}

function resamplerFor(chartTf: Timeframe, tf: Timeframe): ResampleState | null {
  return tf === chartTf ? null : createResampleState(chartTf, tf);
}

export function createTrendStateState(chartTf: Timeframe, opts: TrendStateOptions = {}): TrendStateState {
  if (!isTimeframe(chartTf)) throw new RangeError(`unknown chart timeframe "${String(chartTf)}"`);
  const tt = opts.trendTimeframe;
  if (tt !== undefined && tt !== 'auto' && !isTimeframe(tt)) {
    throw new RangeError(`unknown trend timeframe "${String(tt)}" (expected 'auto' or a timeframe)`);
  }
  const useLongerTrend = opts.useLongerTrend ?? false;
  let cycleType: 'JMA' | 'T3' = 'JMA';
  let lengths: [number, number, number] = [5, 10, 20];
  if (useLongerTrend) {
    cycleType = 'T3';
    lengths = [20, 40, 120];
  }
  if (opts.customLength !== undefined) {
    const c = opts.customLength;
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`customLength must be an integer >= 1, got ${c}`);
    cycleType = 'T3';
    lengths = [c + 1, Math.round(c * 2.6), Math.round(c * 4.8)];
  }
  const wantedCycle =
    opts.trendTimeframe === undefined || opts.trendTimeframe === 'auto' ? autoTrendTimeframe(chartTf) : opts.trendTimeframe;
  const cycleTf = effectiveTf(chartTf, wantedCycle);
  const bbTf = useLongerTrend ? null : effectiveTf(chartTf, bbStateTimeframe(chartTf));
  const cycle2Tf = useLongerTrend ? effectiveTf(chartTf, '4h') : null;
  const ma = (len: number): CycleMaState => (cycleType === 'JMA' ? createJmaState(len, 50, 2) : createT3State(len, 0.7));
  const rq = (): RationalQuadraticState => createRationalQuadraticState(30, 0.5, 5);
  return {
    v: 1,
    chartTf,
    cycleTf,
    bbTf,
    cycle2Tf,
    useLongerTrend,
    cycleType,
    lengths,
    started: false,
    lastTime: 0,
    cycleRs: resamplerFor(chartTf, cycleTf),
    ma1: ma(lengths[0]),
    ma2: ma(lengths[1]),
    ma3: ma(lengths[2]),
    rq1: rq(),
    rq2: rq(),
    rq3: rq(),
    cycleReady: false,
    bull: false,
    bear: false,
    bbRs: bbTf === null ? null : resamplerFor(chartTf, bbTf),
    bb: bbTf === null ? null : createBbStateState(),
    bbReady: false,
    bbValue: 0,
    cycle2Rs: cycle2Tf === null ? null : resamplerFor(chartTf, cycle2Tf),
    v1: useLongerTrend ? createVidyaState(3, 9) : null,
    v2: useLongerTrend ? createVidyaState(9, 9) : null,
    v3: useLongerTrend ? createVidyaState(21, 9) : null,
    cycle2Ready: false,
    bull2: false,
    bear2: false,
    ready: false,
    state: 0,
  };
}

/**
 * The final `var` state machine (reference §5.3), one chart bar: `bull`/`bear` are the (combined) cycle flags,
 * `bbState` the BB_State_MTF value (ignored with `useLongerTrend`).
 */
export function nextTrendState(
  prev: TrendStateValue,
  bull: boolean,
  bear: boolean,
  useLongerTrend: boolean,
  bbState: number,
): TrendStateValue {
  if (bull && (useLongerTrend || bbState === 2)) return 2;
  if (prev === 2 && !bull) return 0;
  if (bear && (useLongerTrend || bbState === -2)) return -2;
  if (prev === -2 && !bear) return 0;
  return prev;
}

/**
 * One closed `res_` bar (cycle 1): MA1..3 (JMA or T3), each smoothed by the rational quadratic kernel.
 * The default JMA path and the kernel are written out here, operation for operation as updateJma
 * (jma.indicator.ts) and updateRationalQuadratic (rational-quadratic.indicator.ts), on their own state objects:
 * called, each of the six non-inlined calls per bar boxed its double result on the heap (see the note in
 * bb-state.indicator.ts). A non-finite close is ignored by both (NaN out, state unchanged), so nothing is updated.
 */
function feedCycle(s: TrendStateState, bar: { readonly close: number }): void {
  const close = bar.close;
  let m1 = NaN;
  let m2 = NaN;
  let m3 = NaN;
  if (close - close === 0) {
    const isJma = s.cycleType === 'JMA';
    for (let k = 0; k < 3; k++) {
      const ma = k === 0 ? s.ma1 : k === 1 ? s.ma2 : s.ma3;
      let v: number;
      if (isJma) {
        // updateJma
        const j = ma as JmaState;
        const i = j.count;
        if (i === 0) {
          j.e0 = close;
          j.e1 = 0;
          j.e2 = 0;
          j.jma = close;
        } else {
          const alpha = j.alpha;
          const beta = j.beta;
          const e0 = (1 - alpha) * close + alpha * j.e0;
          const e1 = (close - e0) * (1 - beta) + beta * j.e1;
          const e2 = (e0 + j.phaseRatio * e1 - j.jma) * j.oneMinusAlphaSq + j.alphaSq * j.e2;
          j.e0 = e0;
          j.e1 = e1;
          j.e2 = e2;
          j.jma = e2 + j.jma;
        }
        if (i < j.length) {
          j.sum += close;
          j.count = i + 1;
          v = j.sum / (i + 1);
        } else {
          v = j.jma;
        }
      } else {
        v = t3U(ma as T3State, close);
      }
      // updateRationalQuadratic
      let m = NaN;
      if (v - v === 0) {
        const r = k === 0 ? s.rq1 : k === 1 ? s.rq2 : s.rq3;
        const size = r.size;
        const buf = r.buf;
        const p = r.pos;
        buf[p] = v;
        r.pos = p + 1 === size ? 0 : p + 1;
        let full = true;
        if (r.count < size) {
          r.count++;
          full = r.count === size;
        }
        if (full) {
          // lag 0 at p, going back through the ring (two straight runs instead of a wrap test per lag)
          const w = r.weights;
          let num = 0;
          let lag = 0;
          for (let j = p; j >= 0; j--) num += buf[j] * w[lag++];
          for (let j = size - 1; j > p; j--) num += buf[j] * w[lag++];
          m = num / r.weightSum;
        }
      }
      if (k === 0) m1 = m;
      else if (k === 1) m2 = m;
      else m3 = m;
    }
  }
  if (m1 === m1 && m2 === m2 && m3 === m3) {
    s.cycleReady = true;
    s.bull = (m1 > m2 && m2 > m3) || (m2 > m1 && m1 > m3);
    s.bear = m3 > m2 && m2 > m1;
  } else {
    s.bull = false;
    s.bear = false;
  }
}

/** One closed 4h bar (cycle 2). */
function feedCycle2(s: TrendStateState, close: number): void {
  const a = vidyaU(s.v1!, close);
  const b = vidyaU(s.v2!, close);
  const c = vidyaU(s.v3!, close);
  if (a === a && b === b && c === c) {
    s.cycle2Ready = true;
    s.bull2 = (a > c && c > b) || (a > b && b > c) || (b > a && a > c);
    s.bear2 = (c > b && b > a) || (b > c && c > a) || (c > a && a > b);
  } else {
    s.bull2 = false;
    s.bear2 = false;
  }
}

/** One closed `bb_mtf` bar. */
function feedBb(s: TrendStateState, bar: { readonly close: number }): void {
  const v = bbU(s.bb!, bar);
  if (v !== null) {
    s.bbReady = true;
    s.bbValue = v;
  }
}

/**
 * Feeds one CLOSED chart candle (strictly increasing times, aligned to the chart timeframe) and returns
 * trend_state (−2, 0 or +2) as of that candle's close, or null during warm-up.
 */
export function updateTrendState(s: TrendStateState, c: Candle): TrendStateValue | null {
  const t = c.time;
  if (s.started && t <= s.lastTime) {
    throw new RangeError(`trend_state: candle time ${t} is not after the previous ${s.lastTime}`);
  }
  s.started = true;
  s.lastTime = t;

  const crs = s.cycleRs;
  if (crs === null) feedCycle(s, c);
  else {
    const n = stepU(crs, t, c.open, c.high, c.low, c.close, c.volume);
    for (let k = 0; k < n; k++) feedCycle(s, crs.done[k]);
  }

  let sideReady: boolean;
  if (s.useLongerTrend) {
    const rs = s.cycle2Rs;
    if (rs === null) feedCycle2(s, c.close);
    else {
      const n = stepU(rs, t, c.open, c.high, c.low, c.close, c.volume);
      for (let k = 0; k < n; k++) feedCycle2(s, rs.done[k].close);
    }
    sideReady = s.cycle2Ready;
  } else {
    const rs = s.bbRs;
    if (rs === null) feedBb(s, c);
    else {
      const n = stepU(rs, t, c.open, c.high, c.low, c.close, c.volume);
      for (let k = 0; k < n; k++) feedBb(s, rs.done[k]);
    }
    sideReady = s.bbReady;
  }

  if (!s.ready) {
    if (!s.cycleReady || !sideReady) return null;
    s.ready = true;
  }

  let next: TrendStateValue;
  if (s.useLongerTrend) next = nextTrendState(s.state, s.bull && s.bull2, s.bear && s.bear2, true, 0);
  else next = nextTrendState(s.state, s.bull, s.bear, false, s.bbValue);
  s.state = next;
  return next;
}

/** Batch trend_state over chart candles (loops the streaming form): −2/0/2, NaN during warm-up. */
export function trendStateSeries(candles: readonly Candle[], chartTf: Timeframe, opts: TrendStateOptions = {}): Float64Array {
  const s = createTrendStateState(chartTf, opts);
  const n = candles.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = updateTrendState(s, candles[i]);
    out[i] = v === null ? NaN : v;
  }
  return out;
}
