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
 * that opens it until it is flat again. Also keeps the ledger totals.
 */
export class TradeTracker {
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
        };
        this.set(f.positionSide, t);
      }
      t.entryQty += f.amount;
      t.entryNotional += f.amount * f.price;
      t.fees += f.fee;
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
    if (t) t.funding += e.amount;
  }

  private get(side: PositionSide): OpenTrade | null {
    return side === 'long' ? this.long : this.short;
  }

  private set(side: PositionSide, t: OpenTrade | null): void {
    if (side === 'long') this.long = t;
    else this.short = t;
  }
}
