import { describe, it } from 'vitest';
import * as ind from './index';
import { btc1h, expectBitEqual } from './indicator.testing';

/*
 * Batch forms must equal the streaming forms bit for bit (Object.is on every element, NaN positions
 * included) — also on inputs with missing values, where the specialised batch loops take their
 * rarely-used branches. The real-candle fixture gets NaN / ±Infinity holes punched in deterministically
 * (single holes, runs of holes, and a hole on the very first bar).
 */
const cols = btc1h();
const N = 3000;

function holes(src: Float64Array, seed: number): Float64Array {
  const out = Float64Array.from(src.subarray(0, N));
  out[0] = NaN;
  let x = seed >>> 0;
  for (let i = 1; i < N; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const r = x / 4294967296;
    if (r < 0.01) out[i] = NaN;
    else if (r < 0.012) out[i] = r < 0.011 ? Infinity : -Infinity;
    else if (r < 0.014) for (let k = 0; k < 25 && i < N; k++, i++) out[i] = NaN; // a run of holes
  }
  return out;
}

const close = holes(cols.close, 1);
const high = holes(cols.high, 2);
const low = holes(cols.low, 3);

function stream1(create: () => unknown, update: (s: never, x: number) => number, src: Float64Array): Float64Array {
  const s = create();
  return Float64Array.from(src, (x) => update(s as never, x));
}

function stream3(create: () => unknown, update: (s: never, h: number, l: number, c: number) => number): Float64Array {
  const s = create();
  return Float64Array.from(close, (c, i) => update(s as never, high[i], low[i], c));
}

describe('batch == streaming bit for bit on candles with NaN/Infinity holes', () => {
  it('single-input indicators', () => {
    const cases: [string, () => unknown, (s: never, x: number) => number, (src: Float64Array) => Float64Array][] = [
      ['sma', () => ind.createSmaState(20), ind.updateSma, (x) => ind.sma(x, 20)],
      ['sma1', () => ind.createSmaState(1), ind.updateSma, (x) => ind.sma(x, 1)],
      ['ema', () => ind.createEmaState(20), ind.updateEma, (x) => ind.ema(x, 20)],
      ['rma', () => ind.createRmaState(14), ind.updateRma, (x) => ind.rma(x, 14)],
      ['wma', () => ind.createWmaState(9), ind.updateWma, (x) => ind.wma(x, 9)],
      ['rsi', () => ind.createRsiState(14), ind.updateRsi, (x) => ind.rsi(x, 14)],
      ['stdev', () => ind.createStdevState(15), ind.updateStdev, (x) => ind.stdev(x, 15)],
      ['jma', () => ind.createJmaState(5), ind.updateJma, (x) => ind.jma(x, 5)],
      ['t3', () => ind.createT3State(20), ind.updateT3, (x) => ind.t3(x, 20)],
      ['vidya', () => ind.createVidyaState(9), ind.updateVidya, (x) => ind.vidya(x, 9)],
      ['rq', () => ind.createRationalQuadraticState(), ind.updateRationalQuadratic, (x) => ind.rationalQuadratic(x)],
      ['pivotHigh', () => ind.createPivotHighState(20, 10), ind.updatePivotHigh, (x) => ind.pivotHigh(x, 20, 10)],
      ['pivotLow', () => ind.createPivotLowState(30, 10), ind.updatePivotLow, (x) => ind.pivotLow(x, 30, 10)],
    ];
    for (const [name, create, update, batch] of cases) {
      expectBitEqual(stream1(create, update, close), batch(close), name);
    }
  });

  it('high/low/close indicators', () => {
    expectBitEqual(stream3(ind.createTrueRangeState, ind.updateTrueRange), ind.trueRange(high, low, close), 'tr');
    expectBitEqual(stream3(() => ind.createAtrState(14), ind.updateAtr), ind.atr(high, low, close, 14), 'atr');
    for (const [d, a] of [
      [14, 14],
      [28, 28],
    ]) {
      const s = ind.createAdxState(d, a);
      const r = close.length;
      const sa = new Float64Array(r);
      const sp = new Float64Array(r);
      const sm = new Float64Array(r);
      for (let i = 0; i < r; i++) {
        const v = ind.updateAdx(s, high[i], low[i], close[i]);
        sa[i] = v.adx;
        sp[i] = v.plusDi;
        sm[i] = v.minusDi;
      }
      const b = ind.adx(high, low, close, d, a);
      expectBitEqual(sa, b.adx, 'adx');
      expectBitEqual(sp, b.plusDi, '+di');
      expectBitEqual(sm, b.minusDi, '-di');
    }
  });

  it('multi-output and boolean indicators', () => {
    const bs = ind.createBollingerState(20, 2);
    const bu = Float64Array.from(close, (c) => ind.updateBollinger(bs, c).upper);
    expectBitEqual(bu, ind.bollinger(close, 20, 2).upper, 'bollinger upper');
    const ms = ind.createMamaFamaState();
    const mf = Float64Array.from(close, (c) => ind.updateMamaFama(ms, c).fama);
    expectBitEqual(mf, ind.mamaFama(close).fama, 'fama');
    const rs = ind.createRisingState(3);
    expectBitEqual(Uint8Array.from(close, (c) => (ind.updateRising(rs, c) ? 1 : 0)), ind.rising(close, 3), 'rising');
    const fs = ind.createFallingState(3);
    expectBitEqual(Uint8Array.from(close, (c) => (ind.updateFalling(fs, c) ? 1 : 0)), ind.falling(close, 3), 'falling');
  });
});
