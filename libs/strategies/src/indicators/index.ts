/**
 * Technical indicators (pure, no I/O), shared by backtest, paper and live.
 *
 * Every indicator has
 * - a STREAMING form: `createXState(...)` returns a plain JSON-serialisable object (numbers, number
 *   arrays, nested plain objects; never NaN/Infinity, never class instances), and `updateX(state, ...)`
 *   mutates it in place and returns the value for that bar, O(1) per bar;
 * - a BATCH form `x(src: Float64Array | ArrayLike<number>, ...)` returning a Float64Array (or an object
 *   of Float64Arrays) that agrees with the streaming form bit for bit (NaN positions included): it either
 *   runs the streaming update, or (SMA, EMA, RMA, RSI, true range, ATR, ADX) repeats the update's exact
 *   arithmetic with the state held in locals, for speed. Specs check the equality on real candles and on
 *   candles with NaN/Infinity holes.
 *
 * Warm-up and missing data: "not ready" is NaN. A non-finite input (NaN/±Infinity) is treated as a
 * missing bar: recursive indicators ignore it (return NaN, state unchanged); the window indicators whose
 * original semantics skip missing values (SMA, pivots, rising/falling) let it occupy its bar.
 *
 * Multi-output updates (Bollinger, ADX, MAMA/FAMA) accept an optional `out` object they write into, so a
 * hot loop can reuse one result object instead of allocating per bar.
 *
 * Semantics follow the original system (docs/strategy-rules.md §5.1); each module's header says
 * where and why it departs from it.
 */
export {
  createSmaState,
  updateSma,
  sma,
  createEmaState,
  updateEma,
  ema,
  createRmaState,
  updateRma,
  rma,
  createWmaState,
  updateWma,
  wma,
} from './moving-average.indicator';
export type { SmaState, EmaState, RmaState, WmaState } from './moving-average.indicator';

export { createRsiState, updateRsi, rsi } from './rsi.indicator';
export type { RsiState } from './rsi.indicator';

export {
  createTrueRangeState,
  updateTrueRange,
  trueRange,
  createAtrState,
  updateAtr,
  atr,
  createStdevState,
  updateStdev,
  stdev,
  createBollingerState,
  updateBollinger,
  bollinger,
} from './volatility.indicator';
export type {
  TrueRangeState,
  AtrState,
  StdevState,
  WindowMomentsState,
  BollingerState,
  BollingerValue,
  BollingerSeries,
} from './volatility.indicator';

export { createAdxState, updateAdx, adx } from './adx.indicator';
export type { AdxState, AdxValue, AdxSeries } from './adx.indicator';

export { createJmaState, updateJma, jma } from './jma.indicator';
export type { JmaState } from './jma.indicator';

export { createT3State, updateT3, t3 } from './t3.indicator';
export type { T3State } from './t3.indicator';

export { createVidyaState, updateVidya, vidya } from './vidya.indicator';
export type { VidyaState } from './vidya.indicator';

export {
  createRationalQuadraticState,
  updateRationalQuadratic,
  rationalQuadratic,
} from './rational-quadratic.indicator';
export type { RationalQuadraticState } from './rational-quadratic.indicator';

export { createMamaFamaState, updateMamaFama, mamaFama } from './mama-fama.indicator';
export type { MamaFamaState, MamaFamaValue, MamaFamaSeries } from './mama-fama.indicator';

export {
  createPivotHighState,
  createPivotLowState,
  updatePivotHigh,
  updatePivotLow,
  pivotHigh,
  pivotLow,
} from './pivot.indicator';
export type { PivotState, PivotHighState, PivotLowState } from './pivot.indicator';

export {
  crossover,
  crossunder,
  crossoverSeries,
  crossunderSeries,
  createRisingState,
  createFallingState,
  updateRising,
  updateFalling,
  rising,
  falling,
} from './cross.indicator';
export type { TrendState, RisingState, FallingState } from './cross.indicator';
