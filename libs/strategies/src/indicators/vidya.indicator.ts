import { assertInt, zeros } from './indicator.util';

/*
 * VIDYA (Chande's variable index dynamic average) exactly as the original `calc_vidya`
 * (docs/strategy-rules.md §5.1, shared/indicators/_moving_averages.py):
 *
 *   vidya[0] = src[0]
 *   CMO over the `cmoLength` (9) most recent PREVIOUS changes d[i-1] .. d[i-9], with d[j] = src[j] - src[j-1]
 *   and d[0] = 0 (fewer at the start): cmo = |(up - down) / (up + down)|, or 1 when up + down == 0
 *   vidya[i] = vidya[i-1] + (2/(length+1)) * cmo * (src[i] - vidya[i-1])
 *
 * Note: the original's CMO window ends at the previous bar (the current change d[i] is not in it); the
 * Pine source it was ported from (trend_state.pine FuncVIDYA) includes the current change and starts
 * from 0. We follow the Python original, which is what produced the live signals.
 */

export interface VidyaState {
  readonly length: number;
  readonly cmoLength: number;
  readonly alpha: number;
  /** Values accepted so far, saturating at 1. */
  count: number;
  prev: number;
  value: number;
  /** Ring of the last `cmoLength` changes (d[0] = 0 included), newest at pos - 1. */
  diffs: number[];
  pos: number;
  /** Changes held in the ring, saturating at cmoLength. */
  held: number;
}

export function createVidyaState(length: number, cmoLength = 9): VidyaState {
  assertInt('length', length, 1);
  assertInt('cmoLength', cmoLength, 1);
  return {
    length,
    cmoLength,
    alpha: 2.0 / (length + 1.0),
    count: 0,
    prev: 0,
    value: 0,
    diffs: zeros(cmoLength),
    pos: 0,
    held: 0,
  };
}

function pushDiff(s: VidyaState, d: number): void {
  s.diffs[s.pos] = d;
  s.pos = s.pos + 1 === s.cmoLength ? 0 : s.pos + 1;
  if (s.held < s.cmoLength) s.held++;
}

/** Returns the VIDYA including `x`. Non-finite input → NaN, ignored. */
export function updateVidya(s: VidyaState, x: number): number {
  if (x - x !== 0) return NaN;
  if (s.count === 0) {
    s.count = 1;
    s.value = x;
    s.prev = x;
    pushDiff(s, 0);
    return x;
  }
  // Newest first, as the original's k = 1..9 loop.
  const m = s.cmoLength;
  const diffs = s.diffs;
  let j = s.pos;
  let up = 0;
  let down = 0;
  for (let k = 0; k < s.held; k++) {
    j = j === 0 ? m - 1 : j - 1;
    const d = diffs[j];
    if (d > 0) up += d;
    else down -= d;
  }
  const total = up + down;
  const cmo = total !== 0 ? Math.abs((up - down) / total) : 1.0;
  const v = s.value + s.alpha * cmo * (x - s.value);
  s.value = v;
  pushDiff(s, x - s.prev);
  s.prev = x;
  return v;
}

export function vidya(src: ArrayLike<number>, length: number, cmoLength = 9): Float64Array {
  const s = createVidyaState(length, cmoLength);
  const n = src.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = updateVidya(s, src[i]);
  return out;
}
