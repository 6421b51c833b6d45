/**
 * TEST-ONLY naive reference implementations of BB_State and trend_state, written independently of the
 * streaming code: whole-series arrays, windows re-summed from scratch on every bar, Pine arrays emulated with
 * push/shift on na-filled 50-slot arrays, HTF bars grouped with a Map and looked up by close time.
 * Quadratic-ish and slow; only for specs.
 */
import type { Candle } from '../../core/candle';
import { jma, t3, vidya, rationalQuadratic } from '../../indicators';

const NA = NaN;
const isNa = (x: number): boolean => Number.isNaN(x);

function windowOf(src: readonly number[], i: number, len: number): number[] | null {
  if (i - len + 1 < 0) return null;
  const w = src.slice(i - len + 1, i + 1);
  return w.some(isNa) ? null : w;
}

function mean(w: readonly number[]): number {
  let s = 0;
  for (const x of w) s += x;
  return s / w.length;
}

function popStdev(w: readonly number[]): number {
  const m = mean(w);
  let v = 0;
  for (const x of w) v += (x - m) * (x - m);
  return Math.sqrt(v / w.length);
}

/** Pine ta.pivothigh(src, left, right) at bar i (TradingView ties: equal left bars allowed, equal right bars not). */
function pivotHighAt(src: readonly number[], i: number, left: number, right: number): number {
  const c = i - right;
  if (c - left < 0) return NA;
  for (let j = c - left; j <= i; j++) if (isNa(src[j])) return NA;
  const v = src[c];
  for (let j = c - left; j < c; j++) if (src[j] > v) return NA;
  for (let j = c + 1; j <= i; j++) if (src[j] >= v) return NA;
  return v;
}

function pivotLowAt(src: readonly number[], i: number, left: number, right: number): number {
  const c = i - right;
  if (c - left < 0) return NA;
  for (let j = c - left; j <= i; j++) if (isNa(src[j])) return NA;
  const v = src[c];
  for (let j = c - left; j < c; j++) if (src[j] < v) return NA;
  for (let j = c + 1; j <= i; j++) if (src[j] <= v) return NA;
  return v;
}

/** Pine array emulation: 50 slots of na; `avg` = sum of non-na / count of non-na. */
class PineArray {
  private a: number[] = new Array<number>(50).fill(NA);
  pushShift(x: number): void {
    this.a.push(x);
    this.a.shift();
  }
  count(): number {
    return this.a.filter((x) => !isNa(x)).length;
  }
  sum(): number {
    return this.a.filter((x) => !isNa(x)).reduce((s, x) => s + x, 0);
  }
}

/** BB_State per bar, null while ta.sma(bbw, 100) is na. Direct transcription of the Pine block. */
export function referenceBbState(close: readonly number[]): (number | null)[] {
  const n = close.length;
  const bbw: number[] = [];
  const bbr: number[] = [];
  const bbw2: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = windowOf(close, i, 15);
    if (w) {
      const basis = mean(w);
      const dev = 1.5 * popStdev(w);
      const upper = basis + dev;
      const lower = basis - dev;
      bbw.push(((upper - lower) * 10) / basis);
      bbr.push(upper === lower ? NA : (close[i] - lower) / (upper - lower));
    } else {
      bbw.push(NA);
      bbr.push(NA);
    }
    const w2 = windowOf(close, i, 60);
    if (w2) {
      const basis2 = mean(w2);
      const dev2 = 1.5 * popStdev(w2);
      bbw2.push(((basis2 + dev2 - (basis2 - dev2)) * 10) / basis2);
    } else bbw2.push(NA);
  }
  const ma: number[] = bbw.map((_, i) => {
    const w = windowOf(bbw, i, 100);
    return w ? mean(w) : NA;
  });
  const phArr = new PineArray();
  const plArr = new PineArray();
  const pl2Arr = new PineArray();
  let squeeze2Flag = true;
  let state = 0;
  const buzzHist: number[] = [];
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const ph = pivotHighAt(bbw, i, 20, 10);
    const pl = pivotLowAt(bbw, i, 20, 10);
    if (bbw[i] > ma[i] && ph > 0) phArr.pushShift(ph);
    if (bbw[i] < ma[i] && pl > 0) plArr.pushShift(pl);
    const phAvg = phArr.count() !== 0 ? phArr.sum() / phArr.count() : isNa(bbw[i]) ? NA : Math.max(bbw[i], 5);
    const plAvg = plArr.count() !== 0 ? plArr.sum() / plArr.count() : isNa(bbw[i]) ? NA : Math.min(bbw[i], 5);
    const pl2 = pivotLowAt(bbw2, i, 30, 10);
    if (bbw2[i] < 1 && pl2 > 0) pl2Arr.pushShift(pl2);
    const plAvg2 = pl2Arr.count() !== 0 ? pl2Arr.sum() / pl2Arr.count() : isNa(bbw2[i]) ? NA : Math.min(bbw2[i], 5);
    const buzz = phAvg * 0.7;
    const squeeze = plAvg * (1 / 0.7);
    const squeeze2 = plAvg2 * (1 / 0.7);
    buzzHist.push(buzz);
    const falling = i >= 3 && bbw[i] < bbw[i - 1] && bbw[i] < bbw[i - 2] && bbw[i] < bbw[i - 3];
    const rising = i >= 1 && bbw[i] > bbw[i - 1];
    if (bbw2[i] > squeeze2) squeeze2Flag = false;
    if (bbw2[i] < squeeze2) squeeze2Flag = true;
    const cross = i >= 1 && bbw[i] > buzz && bbw[i - 1] <= buzzHist[i - 1];
    if (cross && bbr[i] > 0.5) state = 2;
    if (cross && bbr[i] < 0.5) state = -2;
    if (bbw[i] < squeeze && squeeze2Flag) state = -1;
    if (state === 2 && bbr[i] < 0.2) state = -2;
    if (state === -2 && bbr[i] > 0.8) state = 2;
    if (((state === 2 || state === -2) && falling) || (bbw[i] > plAvg && state === -1 && rising)) state = 0;
    out.push(isNa(ma[i]) ? null : state);
  }
  return out;
}

interface HtfBar {
  closeTime: number;
  close: number;
}

/** Groups gap-free chart candles into `toMin` buckets; only buckets whose last chart candle exists (closed). */
function groupHtf(candles: readonly Candle[], chartMin: number, toMin: number): HtfBar[] {
  const toMs = toMin * 60_000;
  const chartMs = chartMin * 60_000;
  const byBucket = new Map<number, Candle[]>();
  for (const c of candles) {
    const b = Math.floor(c.time / toMs) * toMs;
    const arr = byBucket.get(b) ?? [];
    arr.push(c);
    byBucket.set(b, arr);
  }
  const out: HtfBar[] = [];
  for (const [b, arr] of byBucket) {
    const last = arr[arr.length - 1];
    if (last.time + chartMs === b + toMs) out.push({ closeTime: b + toMs, close: last.close });
  }
  return out;
}

function pickTf(chartMin: number, wantMin: number): number {
  return wantMin >= chartMin && wantMin % chartMin === 0 ? wantMin : chartMin;
}

export interface ReferenceTrendOptions {
  useLongerTrend?: boolean;
  customLength?: number;
  trendMinutes?: number;
}

/** trend_state per chart bar (gap-free input), null during warm-up. */
export function referenceTrendState(candles: readonly Candle[], chartMin: number, opts: ReferenceTrendOptions = {}): (number | null)[] {
  const longer = opts.useLongerTrend ?? false;
  const autoRes = chartMin <= 3 ? 15 : chartMin <= 30 ? 30 : chartMin < 240 ? 60 : 480;
  const cycleMin = pickTf(chartMin, opts.trendMinutes ?? autoRes);
  const bbMin = pickTf(chartMin, chartMin <= 3 ? 5 : chartMin <= 15 ? 15 : 60);
  let lens = [5, 10, 20];
  let useT3 = false;
  if (longer) {
    lens = [20, 40, 120];
    useT3 = true;
  }
  if (opts.customLength !== undefined) {
    const c = opts.customLength;
    lens = [c + 1, Math.round(2.6 * c), Math.round(4.8 * c)];
    useT3 = true;
  }
  const cyc = groupHtf(candles, chartMin, cycleMin);
  const cycClose = Float64Array.from(cyc.map((b) => b.close));
  const mas = lens.map((L) => rationalQuadratic(useT3 ? t3(cycClose, L) : jma(cycClose, L, 50, 2), 30, 0.5, 5));
  const cycBull = cyc.map((_, k) => {
    const [a, b, c] = mas.map((m) => m[k]);
    return (a > b && b > c) || (b > a && a > c);
  });
  const cycBear = cyc.map((_, k) => {
    const [a, b, c] = mas.map((m) => m[k]);
    return c > b && b > a;
  });
  const cycDefined = cyc.map((_, k) => mas.every((m) => !isNa(m[k])));

  let side: { closeTime: number; bull: boolean; bear: boolean; bb: number | null }[];
  if (longer) {
    const c2 = groupHtf(candles, chartMin, pickTf(chartMin, 240));
    const cl = Float64Array.from(c2.map((b) => b.close));
    const [v1, v2, v3] = [3, 9, 21].map((L) => vidya(cl, L, 9));
    side = c2.map((b, k) => {
      const [a, bb, c] = [v1[k], v2[k], v3[k]];
      return {
        closeTime: b.closeTime,
        bull: (a > c && c > bb) || (a > bb && bb > c) || (bb > a && a > c),
        bear: (c > bb && bb > a) || (bb > c && c > a) || (c > a && a > bb),
        bb: 0,
      };
    });
  } else {
    const bbBars = groupHtf(candles, chartMin, bbMin);
    const states = referenceBbState(bbBars.map((b) => b.close));
    side = bbBars.map((b, k) => ({ closeTime: b.closeTime, bull: true, bear: true, bb: states[k] }));
  }

  const out: (number | null)[] = [];
  let state = 0;
  let started = false;
  let cycReady = false;
  let sideReady = false;
  for (const c of candles) {
    const closeT = c.time + chartMin * 60_000;
    // last HTF bars closed at or before this chart bar's close (linear search on purpose: independent of pointers)
    let ci = -1;
    for (let k = 0; k < cyc.length && cyc[k].closeTime <= closeT; k++) ci = k;
    let si = -1;
    for (let k = 0; k < side.length && side[k].closeTime <= closeT; k++) si = k;
    if (ci >= 0 && cycDefined[ci]) cycReady = true;
    if (si >= 0 && (longer || side[si].bb !== null)) sideReady = true;
    if (!started && !(cycReady && sideReady)) {
      out.push(null);
      continue;
    }
    started = true;
    let bull = cycBull[ci];
    let bear = cycBear[ci];
    let bb: number | null = 0;
    if (longer) {
      bull = bull && side[si].bull;
      bear = bear && side[si].bear;
    } else {
      // the last closed bb bar whose value is defined (values only go from null to defined)
      bb = side[si].bb;
    }
    if (bull && (longer || bb === 2)) state = 2;
    else if (state === 2 && !bull) state = 0;
    else if (bear && (longer || bb === -2)) state = -2;
    else if (state === -2 && !bear) state = 0;
    out.push(state);
  }
  return out;
}
