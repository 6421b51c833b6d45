import { timeframeMinutes, timeframeMs, type Timeframe } from '@tb/strategies';
import type { BacktestMetrics, ExitReasonRow, MonthlyRow, TradeRecord } from './backtest.types';

const YEAR_MS = 365 * 86_400_000;

export interface MetricsInput {
  readonly timeframe: Timeframe;
  readonly initialBalance: number;
  /** Open time of each simulated candle. */
  readonly time: Float64Array;
  /** Equity at each candle's close. */
  readonly equity: Float64Array;
  readonly trades: readonly TradeRecord[];
  readonly feesPaid: number;
  readonly fundingPaid: number;
  readonly realizedPnl: number;
  /** Candles that closed with a position open. */
  readonly exposedCandles: number;
  /** First open and last close of the range (buy and hold). */
  readonly firstOpen: number;
  readonly lastClose: number;
  readonly liquidations?: number;
  readonly rejectedOrders?: number;
}

export interface DrawdownStats {
  /** (equity − running peak) / running peak × 100, per point (≤ 0). The peak starts at `initial`. */
  readonly drawdownPct: Float64Array;
  readonly maxDrawdownPct: number;
  readonly maxDrawdownAbs: number;
  /** Index of the peak (−1 = the initial balance before the first candle) and of the trough of the max % drawdown. */
  readonly peakIndex: number;
  readonly troughIndex: number;
}

export function drawdownSeries(equity: Float64Array, initial: number): DrawdownStats {
  const dd = new Float64Array(equity.length);
  return { drawdownPct: dd, ...drawdownScan(equity, initial, dd) };
}

/**
 * The drawdown statistics alone (no per-point series): what the metrics need. A backtest's series is built only
 * when something reads it (the report, the API's equity curve), not by every run of a sweep; a fresh 8 MB array
 * per million candles costs its page faults even when nothing reads it.
 */
export function drawdownStats(equity: Float64Array, initial: number): Omit<DrawdownStats, 'drawdownPct'> {
  return drawdownScan(equity, initial, null);
}

/** One pass over the equity curve; writes the per-point drawdown into `dd` when given. */
function drawdownScan(equity: Float64Array, initial: number, dd: Float64Array | null): Omit<DrawdownStats, 'drawdownPct'> {
  const n = equity.length;
  let peak = initial;
  let peakIdx = -1;
  let maxPct = 0;
  let maxAbs = 0;
  let bestPeak = -1;
  let bestTrough = -1;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    if (e > peak) {
      peak = e;
      peakIdx = i;
    }
    const d = peak > 0 ? ((e - peak) / peak) * 100 : 0;
    if (dd !== null) dd[i] = d;
    if (-d > maxPct) {
      maxPct = -d;
      bestPeak = peakIdx;
      bestTrough = i;
    }
    if (peak - e > maxAbs) maxAbs = peak - e;
  }
  return { maxDrawdownPct: maxPct, maxDrawdownAbs: maxAbs, peakIndex: bestPeak, troughIndex: bestTrough };
}

export interface RatioStats {
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly periodsPerYear: number;
}

/**
 * Sharpe and Sortino from per-candle simple returns of the equity curve (the first return is against the
 * initial balance), annualised with √(candles per 365-day year), risk-free rate 0.
 * Sharpe = mean / sample stdev (n − 1); Sortino = mean / downside deviation, √(Σ min(r, 0)² / n).
 */
export function returnRatios(equity: Float64Array, initial: number, timeframe: Timeframe): RatioStats {
  const ppy = (365 * 24 * 60) / timeframeMinutes(timeframe);
  const n = equity.length;
  if (n < 2) return { sharpe: null, sortino: null, periodsPerYear: ppy };
  let prev = initial;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    sum += prev > 0 ? e / prev - 1 : 0;
    prev = e;
  }
  const mean = sum / n;
  prev = initial;
  let ss = 0;
  let down = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    const r = prev > 0 ? e / prev - 1 : 0;
    prev = e;
    ss += (r - mean) * (r - mean);
    if (r < 0) down += r * r;
  }
  const sd = Math.sqrt(ss / (n - 1));
  const dd = Math.sqrt(down / n);
  const k = Math.sqrt(ppy);
  return {
    sharpe: sd > 1e-15 ? (mean / sd) * k : null,
    sortino: dd > 1e-15 ? (mean / dd) * k : null,
    periodsPerYear: ppy,
  };
}

/** Compound annual growth rate in %, over `spanMs`. */
export function cagrPct(initial: number, final: number, spanMs: number): number {
  if (!(initial > 0) || !(spanMs > 0)) return 0;
  if (final <= 0) return -100;
  return (Math.pow(final / initial, YEAR_MS / spanMs) - 1) * 100;
}

function monthKey(t: number): string {
  return new Date(t).toISOString().slice(0, 7);
}

function nextMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The first index from `i` on whose time is >= `t` (time.length when none): the scan of monthlyBreakdown in a function
 * of its own, which the JIT optimises after a few months (the scan inlined in the caller's one long loop ran unoptimised:
 * ~25 ns a candle).
 */
function firstAtOrAfter(time: Float64Array, i: number, t: number): number {
  const n = time.length;
  while (i < n && !(time[i] >= t)) i++;
  return i;
}

export function monthlyBreakdown(time: Float64Array, equity: Float64Array, initial: number, trades: readonly TradeRecord[]): MonthlyRow[] {
  const rows: MonthlyRow[] = [];
  const n = time.length;
  if (n === 0) return rows;
  const ends: number[] = [];
  let start = initial;
  let first = time[0];
  let boundary = nextMonthStart(time[0]);
  const push = (end: number) => {
    rows.push({ month: monthKey(first), startEquity: start, endEquity: end, returnPct: start > 0 ? (end / start - 1) * 100 : 0, pnl: end - start, trades: 0 });
  };
  for (let i = firstAtOrAfter(time, 0, boundary); i < n; i = firstAtOrAfter(time, i + 1, boundary)) {
    const end = equity[i - 1];
    push(end);
    ends.push(boundary);
    start = end;
    first = time[i];
    boundary = nextMonthStart(time[i]);
  }
  push(equity[n - 1]);
  ends.push(Infinity);
  // trades closed per month: the month row whose [start of month, next month) holds the exit time
  const counts = new Array<number>(rows.length).fill(0);
  for (const t of trades) {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.exitTime < ends[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  return rows.map((r, k) => ({ ...r, trades: counts[k] }));
}

export function exitReasonTable(trades: readonly TradeRecord[]): ExitReasonRow[] {
  const by = new Map<string, { trades: number; wins: number; losses: number; pnl: number; pct: number }>();
  for (const t of trades) {
    let r = by.get(t.reason);
    if (!r) by.set(t.reason, (r = { trades: 0, wins: 0, losses: 0, pnl: 0, pct: 0 }));
    r.trades++;
    if (t.pnl > 0) r.wins++;
    else if (t.pnl < 0) r.losses++;
    r.pnl += t.pnl;
    r.pct += t.pnlPct;
  }
  return [...by.entries()]
    .map(([reason, r]) => ({ reason, trades: r.trades, wins: r.wins, losses: r.losses, pnl: r.pnl, avgPnlPct: r.pct / r.trades }))
    .sort((a, b) => b.trades - a.trades || a.reason.localeCompare(b.reason));
}

export function computeMetrics(m: MetricsInput): { metrics: BacktestMetrics; drawdownPct: Float64Array } {
  const dd = drawdownSeries(m.equity, m.initialBalance);
  return { metrics: metricsWith(m, dd), drawdownPct: dd.drawdownPct };
}

/** computeMetrics without the per-point drawdown series (see drawdownStats). */
export function computeMetricsOnly(m: MetricsInput): BacktestMetrics {
  return metricsWith(m, drawdownStats(m.equity, m.initialBalance));
}

function metricsWith(m: MetricsInput, dd: Omit<DrawdownStats, 'drawdownPct'>): BacktestMetrics {
  const n = m.equity.length;
  const initial = m.initialBalance;
  const final = n ? m.equity[n - 1] : initial;
  const tfMs = timeframeMs(m.timeframe);
  const startTime = n ? m.time[0] : 0;
  const endTime = n ? m.time[n - 1] + tfMs : 0;
  const ratios = returnRatios(m.equity, initial, m.timeframe);
  const cagr = cagrPct(initial, final, endTime - startTime);

  let wins = 0;
  let losses = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let best = 0;
  let worst = 0;
  let sumPnl = 0;
  let dur = 0;
  let streakW = 0;
  let streakL = 0;
  let maxW = 0;
  let maxL = 0;
  for (let i = 0; i < m.trades.length; i++) {
    const t = m.trades[i];
    sumPnl += t.pnl;
    dur += t.durationMs;
    if (i === 0 || t.pnl > best) best = t.pnl;
    if (i === 0 || t.pnl < worst) worst = t.pnl;
    if (t.pnl > 0) {
      wins++;
      grossWin += t.pnl;
      streakW++;
      streakL = 0;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
      streakL++;
      streakW = 0;
    } else {
      streakW = 0;
      streakL = 0;
    }
    if (streakW > maxW) maxW = streakW;
    if (streakL > maxL) maxL = streakL;
  }
  const trades = m.trades.length;
  const avgWin = wins ? grossWin / wins : 0;
  const avgLoss = losses ? -grossLoss / losses : 0;
  const timeAt = (i: number) => (i < 0 ? startTime : m.time[i] + tfMs);
  const metrics: BacktestMetrics = {
    startTime,
    endTime,
    candles: n,
    initialBalance: initial,
    finalBalance: final,
    totalReturnPct: initial > 0 ? (final / initial - 1) * 100 : 0,
    cagrPct: cagr,
    sharpe: ratios.sharpe,
    sortino: ratios.sortino,
    calmar: dd.maxDrawdownPct > 0 ? cagr / dd.maxDrawdownPct : null,
    maxDrawdownPct: dd.maxDrawdownPct,
    maxDrawdownAbs: dd.maxDrawdownAbs,
    drawdownStart: dd.troughIndex >= 0 ? timeAt(dd.peakIndex) : null,
    drawdownEnd: dd.troughIndex >= 0 ? timeAt(dd.troughIndex) : null,
    drawdownDurationMs: dd.troughIndex >= 0 ? timeAt(dd.troughIndex) - timeAt(dd.peakIndex) : 0,
    trades,
    wins,
    losses,
    winRatePct: trades ? (wins / trades) * 100 : 0,
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : null,
    expectancy: trades ? sumPnl / trades : 0,
    payoffRatio: losses && wins ? avgWin / -avgLoss : null,
    avgWin,
    avgLoss,
    bestTrade: best,
    worstTrade: worst,
    avgTradeDurationMs: trades ? dur / trades : 0,
    exposurePct: n ? (m.exposedCandles / n) * 100 : 0,
    feesPaid: m.feesPaid,
    fundingPaid: m.fundingPaid,
    realizedPnl: m.realizedPnl,
    buyAndHoldReturnPct: m.firstOpen > 0 ? (m.lastClose / m.firstOpen - 1) * 100 : 0,
    maxConsecutiveWins: maxW,
    maxConsecutiveLosses: maxL,
    liquidations: m.liquidations ?? 0,
    rejectedOrders: m.rejectedOrders ?? 0,
    monthly: monthlyBreakdown(m.time, m.equity, initial, m.trades),
    exitReasons: exitReasonTable(m.trades),
  };
  return metrics;
}
