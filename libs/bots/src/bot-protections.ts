import type { Fill } from '@tb/strategies';
import { foldSideFill, increasesSide, type SideBook } from './side-book';

/**
 * Per-bot protections (docs/adr/0010-bot-runtime.md). Off by default, except pausing on a rejected order, which the
 * original also did (it stopped trading on insufficient funds). They act on the bot's own books — the fills its
 * strategy was handed — never on floats from elsewhere, and only move the bot's status; the strategy keeps seeing
 * every candle (a paused bot's orders expire), so its indicators stay exact.
 */
export interface BotProtections {
  /** pause when equity falls this many % of the allocation below its peak */
  readonly maxDrawdownPct: number | null;
  /** the quote the bot is responsible for (drawdown base); default: the settings' investment */
  readonly allocation: number | null;
  /** pause for `pauseMinutes` after `count` stop-outs (sl, trailing, liquidation) within `windowMinutes` */
  readonly stopLossGuard: { readonly count: number; readonly windowMinutes: number; readonly pauseMinutes: number } | null;
  /** pause until the next UTC day when the day's realized PnL (after fees) reaches −limit (quote) */
  readonly dailyLossLimit: number | null;
  /** pause when an order is rejected (insufficient funds, exchange rules) */
  readonly pauseOnRejection: boolean;
}

export const DEFAULT_PROTECTIONS: BotProtections = Object.freeze({
  maxDrawdownPct: null,
  allocation: null,
  stopLossGuard: null,
  dailyLossLimit: null,
  pauseOnRejection: true,
});

export interface ProtectionIssue {
  readonly field: string;
  readonly message: string;
}

const num = (v: unknown, min: number, max: number): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : null);

/** Validate raw protections (null/undefined = defaults); returns the parsed value or the list of bad fields. */
export function parseProtections(raw: unknown): { value: BotProtections; issues: ProtectionIssue[] } {
  const issues: ProtectionIssue[] = [];
  if (raw === undefined || raw === null) return { value: DEFAULT_PROTECTIONS, issues };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { value: DEFAULT_PROTECTIONS, issues: [{ field: 'protections', message: 'must be an object' }] };
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!(k in DEFAULT_PROTECTIONS)) issues.push({ field: `protections.${k}`, message: 'unknown protection' });
  const opt = (k: string, min: number, max: number): number | null => {
    if (r[k] === undefined || r[k] === null) return null;
    const v = num(r[k], min, max);
    if (v === null) issues.push({ field: `protections.${k}`, message: `must be a number in [${min}, ${max}] or null` });
    return v;
  };
  const maxDrawdownPct = opt('maxDrawdownPct', 0.1, 100);
  const allocation = opt('allocation', 1, 1e9);
  const dailyLossLimit = opt('dailyLossLimit', 0.01, 1e9);
  let stopLossGuard: BotProtections['stopLossGuard'] = null;
  if (r.stopLossGuard !== undefined && r.stopLossGuard !== null) {
    const g = r.stopLossGuard as Record<string, unknown>;
    const count = num(g.count, 1, 1000);
    const windowMinutes = num(g.windowMinutes, 1, 525_600);
    const pauseMinutes = num(g.pauseMinutes, 1, 525_600);
    if (typeof g !== 'object' || count === null || windowMinutes === null || pauseMinutes === null || !Number.isInteger(count)) {
      issues.push({ field: 'protections.stopLossGuard', message: 'needs count (integer >= 1), windowMinutes and pauseMinutes (>= 1)' });
    } else stopLossGuard = { count, windowMinutes, pauseMinutes };
  }
  let pauseOnRejection = true;
  if (r.pauseOnRejection !== undefined) {
    if (typeof r.pauseOnRejection !== 'boolean') issues.push({ field: 'protections.pauseOnRejection', message: 'must be a boolean' });
    else pauseOnRejection = r.pauseOnRejection;
  }
  return { value: { maxDrawdownPct, allocation, stopLossGuard, dailyLossLimit, pauseOnRejection }, issues };
}

/** The bot's own books, folded from the fills its strategy was handed (JSON, stored on the bot). */
export interface BotBooks {
  long: SideBook;
  short: SideBook;
  realized: number;
  fees: number;
  peakEquity: number | null;
  stopOuts: number[];
  day: number | null;
  dayRealizedStart: number;
  pausedUntil: number | null;
}

export function emptyBooks(): BotBooks {
  return { long: { qty: 0, avg: 0 }, short: { qty: 0, avg: 0 }, realized: 0, fees: 0, peakEquity: null, stopOuts: [], day: null, dayRealizedStart: 0, pausedUntil: null };
}

const STOP_TAGS = new Set(['sl', 'trailing', 'liquidation', 'grid_sl']);
const DAY_MS = 86_400_000;

/** Fold one fill into the books (average entry per side, realized PnL, fees, stop-outs). Pure. */
export function bookFill(b0: BotBooks, f: Fill): BotBooks {
  const b = rollDay(b0, f.time);
  const side = f.positionSide === 'long' ? { ...b.long } : { ...b.short };
  const increase = increasesSide(f);
  const realized = b.realized + foldSideFill(side, f);
  const stopOuts = !increase && STOP_TAGS.has(f.tag) ? [...b.stopOuts, f.time].slice(-1000) : b.stopOuts;
  return { ...b, [f.positionSide]: side, realized, fees: b.fees + f.fee, stopOuts };
}

/** A new UTC day starts its loss count from the PnL booked before it. */
function rollDay(b: BotBooks, time: number): BotBooks {
  const day = Math.floor(time / DAY_MS) * DAY_MS;
  return b.day === day ? b : { ...b, day, dayRealizedStart: b.realized - b.fees };
}

/** Equity of the allocation at `price`: allocation + realized − fees + unrealized. */
export function equityAt(b: BotBooks, allocation: number, price: number): number {
  const unrealized = (price - b.long.avg) * b.long.qty + (b.short.avg - price) * b.short.qty;
  return allocation + b.realized - b.fees + unrealized;
}

export type ProtectionVerdict = { readonly pause: false } | { readonly pause: true; readonly reason: string; readonly until: number | null };

/** After a candle closed at `price` (time `now`): update peak/day and say whether a protection pauses the bot. */
export function checkProtections(b: BotBooks, p: BotProtections, allocation: number, price: number, now: number): { books: BotBooks; verdict: ProtectionVerdict } {
  const equity = equityAt(b, allocation, price);
  const rolled = rollDay(b, now);
  const day = rolled.day as number;
  const books: BotBooks = { ...rolled, peakEquity: b.peakEquity === null ? equity : Math.max(b.peakEquity, equity) };
  if (p.maxDrawdownPct !== null && allocation > 0) {
    const dd = ((books.peakEquity! - equity) / allocation) * 100;
    if (dd >= p.maxDrawdownPct) return { books, verdict: { pause: true, reason: `protection: drawdown ${dd.toFixed(2)}% of the allocation >= ${p.maxDrawdownPct}%`, until: null } };
  }
  if (p.dailyLossLimit !== null) {
    const dayPnl = books.realized - books.fees - books.dayRealizedStart;
    if (dayPnl <= -p.dailyLossLimit) return { books, verdict: { pause: true, reason: `protection: daily loss ${(-dayPnl).toFixed(2)} >= ${p.dailyLossLimit}`, until: day + DAY_MS } };
  }
  if (p.stopLossGuard !== null) {
    const since = now - p.stopLossGuard.windowMinutes * 60_000;
    const recent = books.stopOuts.filter((t) => t > since).length;
    if (recent >= p.stopLossGuard.count) {
      return {
        books: { ...books, stopOuts: [] },
        verdict: { pause: true, reason: `protection: ${recent} stop-outs within ${p.stopLossGuard.windowMinutes} min`, until: now + p.stopLossGuard.pauseMinutes * 60_000 },
      };
    }
  }
  return { books, verdict: { pause: false } };
}
