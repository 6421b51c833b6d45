import type { GridSpacing } from './grid.settings';

// ------------------------------------------------------------------------------------------------
// Range grid: level j of a range [lower, upper] split in `gridNum` intervals. j may leave 0..gridNum
// once the range trails up or down (absolute level indices keep order keys stable across shifts).
// ------------------------------------------------------------------------------------------------

/** Price of absolute level j (unrounded). Arithmetic: lower + j·step. Geometric: lower·ratio^j. */
export function rangeLevelPrice(lower: number, upper: number, gridNum: number, spacing: GridSpacing, j: number): number {
  if (spacing === 'arithmetic') return lower + ((upper - lower) * j) / gridNum;
  return lower * Math.pow(upper / lower, j / gridNum);
}

// ------------------------------------------------------------------------------------------------
// Adaptive grid (docs/strategy-rules.md §3.3, GRID/analysis/grid_logic.py::calculate_grid_levels)
//
//   atr_eff = max(atr, main_plot·min_diff)
//   for n in 0..20:  k = 11 − n
//     perc  = EMA5(main_plot·(1 − band_mult·0.012·k))            (pandas ewm(span=5, adjust=False))
//     atrlv = EMA5(main_plot − atr_eff·k·1.5)
//     lvl   = (perc + atrlv)/2
//     if n > 1: d = (lvl − prev)/prev, max_gap = min(0.05·|k|, 0.5)     prev = the final level n−1
//       |d| > max_gap  → lvl = main_plot·(1 − max_gap) if d > 0 else main_plot·(1 + max_gap)
//       |d| < min_diff → lvl = prev·(1 + min_diff) if d > 0 else prev·(1 − min_diff)   (same d)
//     lvl = round(lvl, 8)
//   levels = EMA5(levels) per column, across time
// Then (grid_periodic_logic.py) level_0 = level_1·0.992, level_i = level_20·(1 + 0.008·(i − 20)) for i > 20.
//
// The EMAs are the pandas ewm(adjust=False) form (seeded with the first value, alpha = 2/6); they are part of
// the §3.3 formula, kept here as flat number arrays (63 of them per candle) rather than 63 EMA objects.
// ------------------------------------------------------------------------------------------------

export const ADAPTIVE_COLUMNS = 21; // levels 0..20
const ALPHA = 2 / 6;

export interface AdaptiveLevelsState {
  bandMult: number;
  minDiff: number;
  /** 0 before the first valid input, 1 after (the EMAs are seeded). */
  seeded: number;
  perc: number[];
  atr: number[];
  smooth: number[];
}

export function createAdaptiveLevelsState(bandMult: number, minDiff: number): AdaptiveLevelsState {
  const z = (): number[] => new Array<number>(ADAPTIVE_COLUMNS).fill(0);
  return { bandMult, minDiff, seeded: 0, perc: z(), atr: z(), smooth: z() };
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/**
 * Feeds one bar's FAMA (`mainPlot`) and ATR and writes the smoothed levels 0..20 into `out` (length ≥ 21).
 * Returns false (and leaves `out` alone) while an input is not finite (indicator warm-up): such bars are
 * skipped, as pandas' ewm starts at the first valid value.
 */
export function updateAdaptiveLevels(s: AdaptiveLevelsState, mainPlot: number, atr: number, out: number[]): boolean {
  if (!(mainPlot - mainPlot === 0) || !(atr - atr === 0)) return false;
  const minDiff = s.minDiff;
  const atrEff = Math.max(atr, mainPlot * minDiff);
  const first = s.seeded === 0;
  const perc = s.perc;
  const atrCol = s.atr;
  const smooth = s.smooth;
  const bandStep = s.bandMult * 0.012;
  let prev = 0;
  for (let n = 0; n < ADAPTIVE_COLUMNS; n++) {
    const k = 11 - n;
    // the same expressions (and so the same doubles) as the formula above, with the invariants hoisted
    const pRaw = mainPlot * (1 - bandStep * k);
    const aRaw = mainPlot - atrEff * k * 1.5;
    let p = pRaw;
    let a = aRaw;
    if (!first) {
      const p0 = perc[n];
      const a0 = atrCol[n];
      p = p0 + ALPHA * (pRaw - p0);
      a = a0 + ALPHA * (aRaw - a0);
    }
    perc[n] = p;
    atrCol[n] = a;
    let lvl = (p + a) / 2;
    if (n > 1) {
      const d = (lvl - prev) / prev;
      const ad = d < 0 ? -d : d;
      const maxGap = MAX_GAP[n];
      if (ad > maxGap) lvl = d > 0 ? mainPlot * (1 - maxGap) : mainPlot * (1 + maxGap);
      if (ad < minDiff) lvl = d > 0 ? prev * (1 + minDiff) : prev * (1 - minDiff);
    }
    lvl = round8(lvl);
    prev = lvl;
    let sm = lvl;
    if (!first) {
      const s0 = smooth[n];
      sm = s0 + ALPHA * (lvl - s0);
    }
    smooth[n] = sm;
    out[n] = sm;
  }
  s.seeded = 1;
  return true;
}

/** max_gap of column n (k = 11 − n): min(0.05·|k|, 0.5), computed once. */
const MAX_GAP: readonly number[] = Array.from({ length: ADAPTIVE_COLUMNS }, (_, n) => Math.min(0.05 * Math.abs(11 - n), 0.5));

/**
 * Expands the 21 smoothed columns to the traded ladder `ladder[0..gridNum+1]` as the live code does:
 * level_0 = level_1·0.992, levels 1..20 as computed, level_i = level_20·(1 + 0.008·(i − 20)) above 20.
 */
export function expandAdaptiveLadder(columns: readonly number[], gridNum: number, ladder: number[]): void {
  const top = Math.max(gridNum + 1, 21);
  if (ladder.length !== top + 1) ladder.length = top + 1; // a length store is a runtime call even when unchanged
  ladder[0] = columns[1] * (1 - 0.008);
  for (let i = 1; i <= 20; i++) ladder[i] = columns[i];
  for (let i = 21; i <= top; i++) ladder[i] = columns[20] * (1 + 0.008 * (i - 20));
}
