import type { FillEvent, FundingEvent } from '@tb/matching';
import type { PositionSide } from '@tb/strategies';
import type { TradeRecord } from './backtest.types';

interface OpenTrade {
  entryTime: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  realized: number;
  fees: number;
  funding: number;
  entryOrders: number;
  lastEntryKey: string;
  entryTag: string;
  /** per-fill mode: the open remainder, priced like the engine (average cost) */
  openQty: number;
  openAvg: number;
  /** Σ entry time × qty of the open remainder / openQty = its average entry time */
  openTime: number;
  openFees: number;
  openFunding: number;
}

/** Neumaier-compensated running sum (the ledger check needs sums exact to ~1e-12 relative). */
export class PreciseSum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/**
 * Folds engine fill/funding events into trades: a trade is one position on one side, from the first fill
 * that opens it until it is flat again — or, with `perFill`, each reducing fill (docs/adr/0014-exit-reasons-and-
 * grid-statistics.md): its qty closed against the position's average entry, with its share of the entry fees and
 * funding, so the trades still sum to the account's PnL. Also keeps the ledger totals.
 */
export class TradeTracker {
  private readonly perFill: boolean;
  constructor(opts: { perFill?: boolean } = {}) {
    this.perFill = opts.perFill === true;
  }

  readonly trades: TradeRecord[] = [];
  readonly realized = new PreciseSum();
  readonly fees = new PreciseSum();
  readonly funding = new PreciseSum();
  liquidations = 0;
  private long: OpenTrade | null = null;
  private short: OpenTrade | null = null;

  onFill(e: FillEvent): void {
    const f = e.fill;
    this.realized.add(e.realizedPnl);
    this.fees.add(f.fee);
    let t = this.get(f.positionSide);
    if (e.increase) {
      if (!t) {
        t = {
          entryTime: f.time,
          entryQty: 0,
          entryNotional: 0,
          exitQty: 0,
          exitNotional: 0,
          realized: 0,
          fees: 0,
          funding: 0,
          entryOrders: 0,
          lastEntryKey: '',
          entryTag: f.tag,
          openQty: 0,
          openAvg: 0,
          openTime: 0,
          openFees: 0,
          openFunding: 0,
        };
        this.set(f.positionSide, t);
      }
      t.entryQty += f.amount;
      t.entryNotional += f.amount * f.price;
      t.fees += f.fee;
      if (this.perFill) {
        const q = t.openQty + f.amount;
        t.openAvg = (t.openAvg * t.openQty + f.price * f.amount) / q;
        t.openTime += f.time * f.amount;
        t.openQty = q;
        t.openFees += f.fee;
        t.entryTag = f.tag;
      }
      if (f.key !== t.lastEntryKey) {
        t.entryOrders++;
        t.lastEntryKey = f.key;
      }
      return;
    }
    if (!t) throw new Error(`trade tracker: reducing fill ${f.key} without an open ${f.positionSide} trade`);
    t.exitQty += f.amount;
    t.exitNotional += f.amount * f.price;
    t.realized += e.realizedPnl;
    t.fees += f.fee;
    if (e.orderType === 'liquidation') this.liquidations++;
    if (this.perFill) {
      this.closePart(t, e);
      if (e.positionQty === 0) this.set(f.positionSide, null);
      return;
    }
    if (e.positionQty === 0) {
      const entryPrice = t.entryNotional / t.entryQty;
      const pnl = t.realized - t.fees - t.funding;
      this.trades.push({
        entryTime: t.entryTime,
        exitTime: f.time,
        side: f.positionSide,
        entryPrice,
        exitPrice: t.exitNotional / t.exitQty,
        qty: t.entryQty,
        dcaCount: t.entryOrders - 1,
        pnl,
        pnlPct: (pnl / t.entryNotional) * 100,
        fees: t.fees,
        funding: t.funding,
        reason: f.tag,
        entryTag: t.entryTag,
        durationMs: f.time - t.entryTime,
      });
      this.set(f.positionSide, null);
    }
  }

  onFunding(e: FundingEvent): void {
    this.funding.add(e.amount);
    const t = this.get(e.positionSide);
    if (t) {
      t.funding += e.amount;
      t.openFunding += e.amount;
    }
  }

  /** per-fill mode: one trade for the qty this reducing fill closed. */
  private closePart(t: OpenTrade, e: FillEvent): void {
    const f = e.fill;
    const share = e.positionQty === 0 || !(t.openQty > 0) ? 1 : Math.min(1, f.amount / t.openQty);
    const entryFees = t.openFees * share;
    const funding = t.openFunding * share;
    const exactEntry = t.openQty > 0 ? t.openTime / t.openQty : f.time;
    // reported in whole ms (a quantity-weighted mean of fill times carries float noise: 20:59:59.9999…)
    const entryTime = Math.round(exactEntry);
    const entryPrice = t.openAvg;
    const pnl = e.realizedPnl - entryFees - f.fee - funding;
    const cost = entryPrice * f.amount;
    this.trades.push({
      entryTime,
      exitTime: f.time,
      side: f.positionSide,
      entryPrice,
      exitPrice: f.price,
      qty: f.amount,
      dcaCount: 0,
      pnl,
      pnlPct: cost > 0 ? (pnl / cost) * 100 : 0,
      fees: entryFees + f.fee,
      funding,
      reason: f.tag,
      entryTag: t.entryTag,
      durationMs: f.time - entryTime,
    });
    t.openFees -= entryFees;
    t.openFunding -= funding;
    t.openTime -= exactEntry * f.amount;
    t.openQty = e.positionQty === 0 ? 0 : Math.max(0, t.openQty - f.amount);
    if (t.openQty === 0) {
      t.openTime = 0;
      t.openFees = 0;
      t.openFunding = 0;
    }
  }

  private get(side: PositionSide): OpenTrade | null {
    return side === 'long' ? this.long : this.short;
  }

  private set(side: PositionSide, t: OpenTrade | null): void {
    if (side === 'long') this.long = t;
    else this.short = t;
  }
}
