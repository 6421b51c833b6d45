import Decimal from 'decimal.js';
import { applyFill, EMPTY_POSITION, isIncrease, type PositionState } from '@tb/positions';
import type { OrderSide, PositionSide } from '@tb/strategies';

/**
 * Trading statistics from fills, in exact decimal arithmetic (docs/adr/0019-grid-controls-and-stats.md). Pure: the
 * repository reads the fills (numeric columns as decimal strings), this folds them. Every amount in the output is a
 * decimal string.
 *
 * - Positions are kept per account, symbol, side and bot (as the positions table keys them), folded by the same
 *   `applyFill` as the positions service: realized PnL = (exit − average entry) × amount (× −1 for short), gross.
 * - Fees count on the day of their fill; net PnL = realized − fees − funding.
 * - A trade: for a GRID bot (`perFill`), each reducing fill, its PnL = realized − its fee − the entry fees of the part
 *   it closes (entry fees × closed / size); otherwise a position lifecycle (opened → flat), its PnL = realized of all
 *   its reductions − all its fees, counted when it goes flat. A partially closed position has realized PnL, no trade.
 * - Periods are UTC: day `YYYY-MM-DD`, week = the Monday it starts on `YYYY-MM-DD`, month `YYYY-MM`.
 */

export interface StatsFill {
  readonly symbol: string;
  readonly accountId: string;
  /** null = a manual order */
  readonly botId: string | null;
  /** GRID bots count one trade per reducing fill (their positions rarely go flat) */
  readonly perFill: boolean;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: string;
  readonly price: string;
  readonly feeQuote: string;
  /** ms */
  readonly time: number;
}

export type StatsPeriod = 'day' | 'week' | 'month';

export interface StatsTotals {
  realizedPnl: string;
  fees: string;
  funding: string;
  netPnl: string;
  unrealizedPnl: string;
  volume: string;
  fills: number;
  trades: number;
  wins: number;
  losses: number;
  /** wins / trades × 100 (8 dp); "0" without trades */
  winRatePct: string;
  grossProfit: string;
  grossLoss: string;
  /** gross profit / gross loss (8 dp); null without a losing trade */
  profitFactor: string | null;
}

export interface OpenPositionStats {
  readonly symbol: string;
  readonly side: PositionSide;
  readonly botId: string | null;
  readonly size: string;
  readonly averageEntry: string;
  /** null when no price is known for the symbol */
  readonly mark: string | null;
  readonly unrealizedPnl: string | null;
}

export interface PeriodRow {
  /** start of the UTC period: YYYY-MM-DD (day, week) or YYYY-MM (month) */
  readonly period: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly netPnl: string;
  readonly trades: number;
  readonly volume: string;
}

export interface SymbolRow extends StatsTotals {
  readonly symbol: string;
}

export interface StatsReport {
  readonly totals: StatsTotals;
  readonly open: readonly OpenPositionStats[];
  readonly bySymbol: readonly SymbolRow[];
  /** per period, only periods with fills, ascending */
  readonly periods: Readonly<Record<StatsPeriod, readonly PeriodRow[]>>;
}

export interface StatsInput {
  readonly fills: readonly StatsFill[];
  /** funding paid per symbol (negative = received) */
  readonly funding?: Readonly<Record<string, string>>;
  /** mark price per symbol, for the unrealized PnL of open positions */
  readonly marks?: Readonly<Record<string, string>>;
}

const RATIO_DP = 8;

interface Book {
  pos: PositionState;
  /** entry fees of the part still open */
  entryFees: Decimal;
  /** lifecycle trades: realized and fees since the position opened */
  lifeRealized: Decimal;
  lifeFees: Decimal;
}

class Acc {
  realized = new Decimal(0);
  fees = new Decimal(0);
  volume = new Decimal(0);
  fills = 0;
  trades = 0;
  wins = 0;
  losses = 0;
  grossProfit = new Decimal(0);
  grossLoss = new Decimal(0);

  trade(pnl: Decimal): void {
    this.trades++;
    if (pnl.gt(0)) {
      this.wins++;
      this.grossProfit = this.grossProfit.plus(pnl);
    } else if (pnl.lt(0)) {
      this.losses++;
      this.grossLoss = this.grossLoss.plus(pnl.neg());
    }
  }
}

export function periodOf(time: number, period: StatsPeriod): string {
  const d = new Date(time);
  if (period === 'month') return d.toISOString().slice(0, 7);
  if (period === 'day') return d.toISOString().slice(0, 10);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - dow)).toISOString().slice(0, 10);
}

function totalsOf(a: Acc, funding: Decimal, unrealized: Decimal): StatsTotals {
  return {
    realizedPnl: a.realized.toString(),
    fees: a.fees.toString(),
    funding: funding.toString(),
    netPnl: a.realized.minus(a.fees).minus(funding).toString(),
    unrealizedPnl: unrealized.toString(),
    volume: a.volume.toString(),
    fills: a.fills,
    trades: a.trades,
    wins: a.wins,
    losses: a.losses,
    winRatePct: a.trades ? new Decimal(a.wins).div(a.trades).times(100).toDecimalPlaces(RATIO_DP).toString() : '0',
    grossProfit: a.grossProfit.toString(),
    grossLoss: a.grossLoss.toString(),
    profitFactor: a.grossLoss.gt(0) ? a.grossProfit.div(a.grossLoss).toDecimalPlaces(RATIO_DP).toString() : null,
  };
}

/** Fold fills (any order: sorted by time here) into totals, open positions, per-symbol rows and UTC period series. */
export function computeStats(input: StatsInput): StatsReport {
  const fills = [...input.fills].sort((a, b) => a.time - b.time);
  const books = new Map<string, Book & { fill: StatsFill }>();
  const total = new Acc();
  const bySymbol = new Map<string, Acc>();
  const periods: Record<StatsPeriod, Map<string, Acc>> = { day: new Map(), week: new Map(), month: new Map() };
  const accsOf = (f: StatsFill): Acc[] => {
    const out = [total];
    let s = bySymbol.get(f.symbol);
    if (!s) bySymbol.set(f.symbol, (s = new Acc()));
    out.push(s);
    for (const p of ['day', 'week', 'month'] as const) {
      const key = periodOf(f.time, p);
      let a = periods[p].get(key);
      if (!a) periods[p].set(key, (a = new Acc()));
      out.push(a);
    }
    return out;
  };

  for (const f of fills) {
    const key = `${f.accountId}|${f.symbol}|${f.positionSide}|${f.botId ?? 'manual'}`;
    let b = books.get(key);
    if (!b) books.set(key, (b = { pos: { ...EMPTY_POSITION }, entryFees: new Decimal(0), lifeRealized: new Decimal(0), lifeFees: new Decimal(0), fill: f }));
    b.fill = f;
    const fee = new Decimal(f.feeQuote);
    const before = new Decimal(b.pos.size);
    const effect = applyFill(b.pos, { side: f.side, positionSide: f.positionSide, amount: f.amount, price: f.price, feeQuote: f.feeQuote });
    const realized = new Decimal(effect.realized);
    let tradePnl: Decimal | null = null;
    b.lifeFees = b.lifeFees.plus(fee);
    b.lifeRealized = b.lifeRealized.plus(realized);
    if (isIncrease(f.side, f.positionSide)) {
      b.entryFees = b.entryFees.plus(fee);
    } else if (before.gt(0)) {
      const closed = Decimal.min(new Decimal(f.amount), before);
      const share = b.entryFees.times(closed).div(before);
      b.entryFees = b.entryFees.minus(share);
      if (f.perFill) tradePnl = realized.minus(fee).minus(share);
      else if (effect.closed) tradePnl = b.lifeRealized.minus(b.lifeFees);
    }
    b.pos = effect.closed ? { ...EMPTY_POSITION } : effect.state;
    if (effect.closed) {
      b.entryFees = new Decimal(0);
      b.lifeRealized = new Decimal(0);
      b.lifeFees = new Decimal(0);
    }
    const volume = new Decimal(f.amount).times(f.price);
    for (const a of accsOf(f)) {
      a.fills++;
      a.realized = a.realized.plus(realized);
      a.fees = a.fees.plus(fee);
      a.volume = a.volume.plus(volume);
      if (tradePnl !== null) a.trade(tradePnl);
    }
  }

  const open: OpenPositionStats[] = [];
  const unrealizedBySymbol = new Map<string, Decimal>();
  for (const b of books.values()) {
    const size = new Decimal(b.pos.size);
    if (size.isZero() || b.pos.averageEntry === null) continue;
    const f = b.fill;
    const mark = input.marks?.[f.symbol] ?? null;
    let u: Decimal | null = null;
    if (mark !== null) {
      const diff = new Decimal(mark).minus(b.pos.averageEntry).times(size);
      u = f.positionSide === 'long' ? diff : diff.neg();
      unrealizedBySymbol.set(f.symbol, (unrealizedBySymbol.get(f.symbol) ?? new Decimal(0)).plus(u));
    }
    open.push({ symbol: f.symbol, side: f.positionSide, botId: f.botId, size: size.toString(), averageEntry: b.pos.averageEntry, mark, unrealizedPnl: u === null ? null : u.toString() });
  }
  open.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.side.localeCompare(b.side));

  const fundingOf = (symbol: string) => new Decimal(input.funding?.[symbol] ?? 0);
  let fundingTotal = new Decimal(0);
  for (const v of Object.values(input.funding ?? {})) fundingTotal = fundingTotal.plus(v);
  let unrealizedTotal = new Decimal(0);
  for (const v of unrealizedBySymbol.values()) unrealizedTotal = unrealizedTotal.plus(v);

  const symbols = [...bySymbol.entries()]
    .map(([symbol, a]) => ({ symbol, ...totalsOf(a, fundingOf(symbol), unrealizedBySymbol.get(symbol) ?? new Decimal(0)) }))
    .sort((x, y) => new Decimal(y.netPnl).cmp(x.netPnl) || x.symbol.localeCompare(y.symbol));
  const series = (p: StatsPeriod): PeriodRow[] =>
    [...periods[p].entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([period, a]) => ({ period, realizedPnl: a.realized.toString(), fees: a.fees.toString(), netPnl: a.realized.minus(a.fees).toString(), trades: a.trades, volume: a.volume.toString() }));
  return {
    totals: totalsOf(total, fundingTotal, unrealizedTotal),
    open,
    bySymbol: symbols,
    periods: { day: series('day'), week: series('week'), month: series('month') },
  };
}

export interface EquityDrawdown {
  /** largest peak-to-trough fall, in quote */
  readonly maxDrawdown: string;
  /** the same fall in % of its peak (8 dp); "0" without a fall */
  readonly maxDrawdownPct: string;
  readonly peakTime: number | null;
  readonly troughTime: number | null;
}

/** Max drawdown of an equity curve (ascending time), in exact decimals; the % is of the peak the fall started from. */
export function equityDrawdown(points: ReadonlyArray<{ readonly time: number; readonly equity: string }>): EquityDrawdown {
  let peak: Decimal | null = null;
  let peakTime: number | null = null;
  let best = new Decimal(0);
  let bestPct = new Decimal(0);
  let at: { peak: number | null; trough: number | null } = { peak: null, trough: null };
  for (const p of points) {
    const e = new Decimal(p.equity);
    if (peak === null || e.gt(peak)) {
      peak = e;
      peakTime = p.time;
      continue;
    }
    const fall = peak.minus(e);
    if (fall.gt(best)) {
      best = fall;
      bestPct = peak.gt(0) ? fall.div(peak).times(100) : new Decimal(0);
      at = { peak: peakTime, trough: p.time };
    }
  }
  return { maxDrawdown: best.toString(), maxDrawdownPct: bestPct.toDecimalPlaces(RATIO_DP).toString(), peakTime: at.peak, troughTime: at.trough };
}
