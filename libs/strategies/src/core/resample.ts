import type { Candle } from './candle';
import { type Timeframe, timeframeMs } from './timeframe';

/*
 * Streaming resampler from a base timeframe to a higher one (e.g. 5m -> 30m) that never emits a bucket before
 * it has closed.
 *
 * Emission rule:
 * 1. A bucket is emitted when the base candle whose CLOSE time equals the bucket's close time arrives (the
 *    last base candle of the bucket). It is emitted even if some earlier base candles of the bucket were
 *    missing: its close is known.
 * 2. Gap rule: if a base candle of a LATER bucket arrives while a bucket is still open (its last base candle
 *    never came), the open bucket is emitted at that moment, built from the base candles it received. This is
 *    never early: the later candle opens at or after the open bucket's close time.
 * 3. A bucket that received no base candle at all is not emitted (no synthetic candles).
 * 4. In case 2, the arriving candle may itself close its own bucket (e.g. 5m -> 15m with 00:00, 00:05 and
 *    then 00:25): two buckets complete in one update. `updateResample` returns the earlier one and keeps the
 *    later one pending; take it with `takeResampled(state)` before the next update (see the loop below).
 *
 * The emitted candle's `time` is the bucket's open time (UTC-aligned, epoch based, see `alignTime`); open is
 * the first received base open, close the last received base close, high/low the extremes, volume the sum.
 *
 * Base candles must be aligned to `from` and strictly increasing in time; anything else throws a RangeError.
 * The state is plain JSON data (no NaN, no class instances), so it survives `JSON.parse(JSON.stringify(s))`.
 *
 * ```ts
 * let bar = updateResample(s, candle);
 * while (bar) { use(bar); bar = takeResampled(s); }
 * ```
 */

/** A mutable candle record inside the resampler state (plain data). */
export interface ResampleBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface ResampleState {
  readonly from: Timeframe;
  readonly to: Timeframe;
  readonly fromMs: number;
  readonly toMs: number;
  /** Whether a base candle was accepted yet. */
  started: boolean;
  /** Open time of the last accepted base candle (meaningful once `started`). */
  lastTime: number;
  /** Whether `cur` holds an open (not yet emitted) bucket. */
  hasCur: boolean;
  cur: ResampleBar;
  /** Buckets completed by the last `stepResample` call (0, 1 or 2), oldest first, in `done[0..doneCount)`. */
  doneCount: 0 | 1 | 2;
  done: [ResampleBar, ResampleBar];
  /** Second bucket completed by the last `updateResample` call, waiting for `takeResampled`. */
  pending: Candle | null;
}

function emptyBar(): ResampleBar {
  return { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
}

function copyBar(dst: ResampleBar, src: ResampleBar): void {
  dst.time = src.time;
  dst.open = src.open;
  dst.high = src.high;
  dst.low = src.low;
  dst.close = src.close;
  dst.volume = src.volume;
}

/** True when `to` buckets can be built from whole `from` candles (same or a whole multiple). */
export function canResample(from: Timeframe, to: Timeframe): boolean {
  const f = timeframeMs(from);
  const t = timeframeMs(to);
  return t >= f && t % f === 0;
}

export function createResampleState(from: Timeframe, to: Timeframe): ResampleState {
  if (!canResample(from, to)) {
    throw new RangeError(`cannot resample ${from} to ${to}: the target must be a whole multiple of the base timeframe`);
  }
  return {
    from,
    to,
    fromMs: timeframeMs(from),
    toMs: timeframeMs(to),
    started: false,
    lastTime: 0,
    hasCur: false,
    cur: emptyBar(),
    doneCount: 0,
    done: [emptyBar(), emptyBar()],
    pending: null,
  };
}

/**
 * Allocation-free core of the resampler: feeds one base candle given as numbers and returns how many buckets
 * it completed (0, 1 or 2). The completed buckets are in `state.done[0..n)`, oldest first, and stay valid
 * until the next call.
 */
export function stepResample(
  s: ResampleState,
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): 0 | 1 | 2 {
  if (s.started && time <= s.lastTime) {
    throw new RangeError(`resample ${s.from}->${s.to}: candle time ${time} is not after the previous ${s.lastTime}`);
  }
  if (time % s.fromMs !== 0) {
    throw new RangeError(`resample ${s.from}->${s.to}: candle time ${time} is not aligned to ${s.from}`);
  }
  s.started = true;
  s.lastTime = time;
  const bucket = Math.floor(time / s.toMs) * s.toMs; // = alignTime(time, s.to), without the lookup
  const cur = s.cur;
  let n: 0 | 1 | 2 = 0;
  if (s.hasCur && cur.time !== bucket) {
    // Gap rule: the open bucket's last base candle never came, and this candle belongs to a later bucket.
    copyBar(s.done[0], cur);
    n = 1;
    s.hasCur = false;
  }
  if (!s.hasCur) {
    cur.time = bucket;
    cur.open = open;
    cur.high = high;
    cur.low = low;
    cur.close = close;
    cur.volume = volume;
    s.hasCur = true;
  } else {
    if (high > cur.high) cur.high = high;
    if (low < cur.low) cur.low = low;
    cur.close = close;
    cur.volume += volume;
  }
  if (time + s.fromMs === bucket + s.toMs) {
    copyBar(s.done[n], cur);
    n = n === 0 ? 1 : 2;
    s.hasCur = false;
  }
  s.doneCount = n;
  return n;
}

function toCandle(b: ResampleBar): Candle {
  return { time: b.time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
}

/**
 * Feeds one closed base candle. Returns the higher-timeframe candle it completed, or null. When it completed
 * two (gap rule, see above), returns the earlier one and keeps the later one for `takeResampled`.
 * Throws if a pending candle was not taken.
 */
export function updateResample(s: ResampleState, candle: Candle): Candle | null {
  if (s.pending !== null) {
    throw new Error(`resample ${s.from}->${s.to}: a completed candle is pending; call takeResampled() first`);
  }
  const n = stepResample(s, candle.time, candle.open, candle.high, candle.low, candle.close, candle.volume);
  if (n === 0) return null;
  if (n === 2) s.pending = toCandle(s.done[1]);
  return toCandle(s.done[0]);
}

/** Returns (and clears) the second candle completed by the last `updateResample` call, or null. */
export function takeResampled(s: ResampleState): Candle | null {
  const p = s.pending;
  s.pending = null;
  return p;
}

/** Batch form: every closed bucket of `candles` (sorted by time). A trailing unfinished bucket is not emitted. */
export function resampleCandles(candles: readonly Candle[], from: Timeframe, to: Timeframe): Candle[] {
  const s = createResampleState(from, to);
  const out: Candle[] = [];
  for (const c of candles) {
    let bar = updateResample(s, c);
    while (bar) {
      out.push(bar);
      bar = takeResampled(s);
    }
  }
  return out;
}
