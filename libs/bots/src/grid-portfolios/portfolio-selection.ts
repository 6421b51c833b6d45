import { runBacktest } from '@tb/backtest';
import { gridStrategy, type Candle, type MarketSpec, type Timeframe } from '@tb/strategies';

/*
 * GRID symbol selection, as the original (docs/adr/0019-grid-controls-and-stats.md): every few hours the candidate
 * symbols are backtested with the grid on their recent stored candles (our own engine), ranked (win rate by default),
 * and up to N grid bots run on the best. Priority: the symbols already running (until their custom_stop), then the
 * whitelist, then the best of the rest; the blacklist never trades. Pure: the service reads candles and bots.
 */

export const PORTFOLIO_METRICS = ['win_rate', 'total_return', 'profit_factor'] as const;
export type PortfolioMetric = (typeof PORTFOLIO_METRICS)[number];

/** Fees of the ranking backtests (maker / taker, fractions): a typical futures tier. */
const RANK_FEE_MAKER = 0.0002;
const RANK_FEE_TAKER = 0.0005;

export interface SymbolSeries {
  readonly symbol: string;
  readonly market: MarketSpec;
  readonly candles: readonly Candle[];
}

export interface SymbolScore {
  readonly symbol: string;
  readonly trades: number;
  readonly winRatePct: number;
  readonly totalReturnPct: number;
  readonly profitFactor: number | null;
  readonly maxDrawdownPct: number;
  /** the ranking metric's value (profit factor without a loss: +∞ as 1e9) */
  readonly score: number;
}

function scoreOf(metric: PortfolioMetric, s: Omit<SymbolScore, 'score'>): number {
  switch (metric) {
    case 'win_rate':
      return s.winRatePct;
    case 'total_return':
      return s.totalReturnPct;
    case 'profit_factor':
      return s.profitFactor ?? (s.trades > 0 ? 1e9 : 0);
  }
}

/** One symbol's score: the grid backtested on its series; null when the grid refuses it (e.g. a short grid on spot). */
export function scoreSymbol(s: SymbolSeries, settings: Record<string, unknown>, timeframe: Timeframe, metric: PortfolioMetric, initialBalance: number): SymbolScore | null {
  if (s.candles.length === 0) return null;
  let r;
  try {
    r = runBacktest({
      strategy: gridStrategy,
      settings,
      candles: s.candles,
      market: s.market,
      timeframe,
      initialBalance,
      feeMaker: RANK_FEE_MAKER,
      feeTaker: RANK_FEE_TAKER,
      slippage: 0,
      leverage: s.market.type === 'perp' ? Number(settings.leverage ?? 1) : 1,
      botId: `rank:${s.symbol}`,
    });
  } catch {
    return null;
  }
  const m = r.metrics;
  const base = { symbol: s.symbol, trades: m.trades, winRatePct: m.winRatePct, totalReturnPct: m.totalReturnPct, profitFactor: m.profitFactor, maxDrawdownPct: m.maxDrawdownPct };
  return { ...base, score: scoreOf(metric, base) };
}

/** Best score first, then higher total return, then symbol. */
export function sortRanking(scores: readonly SymbolScore[]): SymbolScore[] {
  return [...scores].sort((a, b) => b.score - a.score || b.totalReturnPct - a.totalReturnPct || a.symbol.localeCompare(b.symbol));
}

/** Backtest every series with the grid settings and rank them (`scoreSymbol`, `sortRanking`). */
export function rankSymbols(series: readonly SymbolSeries[], settings: Record<string, unknown>, timeframe: Timeframe, metric: PortfolioMetric, initialBalance: number): SymbolScore[] {
  const out: SymbolScore[] = [];
  for (const s of series) {
    const score = scoreSymbol(s, settings, timeframe, metric, initialBalance);
    if (score) out.push(score);
  }
  return sortRanking(out);
}

export interface ActiveSymbol {
  readonly symbol: string;
  readonly botId: string;
  /** no new entry for custom_stop minutes (or its grid stopped itself) */
  readonly stale: boolean;
}

export interface SelectionInput {
  readonly ranking: readonly SymbolScore[];
  readonly active: readonly ActiveSymbol[];
  readonly whitelist: readonly string[];
  readonly blacklist: readonly string[];
  readonly maxBots: number;
  /** a ranked symbol needs at least this many backtest trades to be picked (the whitelist is exempt) */
  readonly minTrades: number;
}

export interface SelectionPlan {
  readonly keep: readonly ActiveSymbol[];
  readonly stop: ReadonlyArray<ActiveSymbol & { readonly reason: 'custom_stop' | 'blacklisted' }>;
  /** symbols to start bots on, in priority order */
  readonly start: readonly string[];
}

/** Which bots stay, which stop (stale or blacklisted: replaced, not picked again in this round), which symbols start. */
export function planSelection(input: SelectionInput): SelectionPlan {
  const black = new Set(input.blacklist);
  const stop: Array<ActiveSymbol & { reason: 'custom_stop' | 'blacklisted' }> = [];
  const keep: ActiveSymbol[] = [];
  for (const a of input.active) {
    if (black.has(a.symbol)) stop.push({ ...a, reason: 'blacklisted' });
    else if (a.stale) stop.push({ ...a, reason: 'custom_stop' });
    else keep.push(a);
  }
  const taken = new Set([...input.active.map((a) => a.symbol)]);
  const ranked = new Set(input.ranking.map((r) => r.symbol));
  const start: string[] = [];
  const free = () => input.maxBots - keep.length - start.length;
  const consider = (symbol: string) => {
    if (free() <= 0 || taken.has(symbol) || black.has(symbol)) return;
    taken.add(symbol);
    start.push(symbol);
  };
  for (const w of input.whitelist) if (ranked.has(w)) consider(w);
  for (const r of input.ranking) if (r.trades >= input.minTrades) consider(r.symbol);
  return { keep, stop, start };
}
