import { expect } from 'vitest';
import { runBacktest, type BacktestCommand, type BacktestResult, type TradeRecord } from '@tb/backtest';
import { BotsRepository, BotsService, botStrategy, replayJournal, stateHash, type JournalEntry, type JournalInput } from '@tb/bots';
import { PAPER_MARKETS } from '@tb/exchange';
import type { Candle, Fill, Intent, MarketSpec, Strategy, Timeframe } from '@tb/strategies';

/**
 * What the replay-bot specs (parity, crash test) share: the backtest reference with every fill its strategy was
 * handed, the bot's journal, and the comparisons "same fills", "same trades", "one decision per candle and the
 * journal replays identically". The reference is the backtester called directly (no database, no queue).
 */

export const REPLAY_SYMBOL = 'BTC/USDT:USDT';
export const REPLAY_TF: Timeframe = '1h';
/** where the runtime reads a paper perpetual's stored candles (what the specs store their slice under) */
export const REPLAY_SOURCE = 'binanceusdm';
export type BotStrategyName = 'hyperrsi' | 'grid';

export function replayMarketSpec(): MarketSpec {
  const market = PAPER_MARKETS.get(REPLAY_SYMBOL)!;
  return { symbol: REPLAY_SYMBOL, type: 'perp', tickSize: market.tickSize, amountStep: market.amountStep, minAmount: market.minAmount, minNotional: market.minNotional };
}

export function recordingFills(inner: Strategy<unknown, unknown>, out: Fill[]): Strategy<unknown, unknown> {
  return {
    ...inner,
    onFill(state, fill) {
      out.push(fill);
      return inner.onFill(state, fill);
    },
  };
}

/** The backtest on the first `n` candles, with every fill its strategy was handed recorded (the bot's journal holds the same inputs). */
export function backtestReference(strategy: BotStrategyName, settings: Record<string, unknown>, leverage: number, candles: readonly Candle[], fills: Fill[], commands?: readonly BacktestCommand[]): BacktestResult {
  const market = PAPER_MARKETS.get(REPLAY_SYMBOL)!;
  return runBacktest({
    ...(commands ? { commands } : {}),
    strategy: recordingFills(botStrategy(strategy), fills),
    settings,
    candles: [...candles],
    market: replayMarketSpec(),
    timeframe: REPLAY_TF,
    initialBalance: 10_000,
    feeMaker: market.makerFee ?? 0,
    feeTaker: market.takerFee ?? 0,
    slippage: 0.0005,
    leverage,
    limitFill: 'through',
  });
}

/** The bot's whole journal, in order. */
export async function journalOf(repo: BotsRepository, botId: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (let after = 0; ; ) {
    const page = await repo.listDecisions(botId, after, 5000);
    if (!page.length) break;
    for (const d of page) entries.push({ seq: Number(d.seq), input: d.input as JournalInput, intents: d.intents as Intent[], stateHash: d.stateHash, entryHash: d.entryHash });
    after = Number(page[page.length - 1].seq);
  }
  return entries;
}

/**
 * Every fill the bot's strategy was handed equals the backtest's: same order, key, side, time; amount, price and fee to
 * 1e-8 (the exchange books amounts in its units: a liquidation closes the engine's position size, 0.10400000000000004
 * in the backtest, as 0.104).
 */
export async function expectSameFills(repo: BotsRepository, botId: string, expectedFills: readonly Fill[]): Promise<number> {
  const journalFills = (await repo.listDecisions(botId, 0, 1_000_000)).filter((d) => d.kind === 'fill').map((d) => (d.input as { fill: Fill }).fill);
  const cut = (f: Fill) => ({ key: f.key.slice(f.key.indexOf(':')), side: f.side, positionSide: f.positionSide, time: f.time, tag: f.tag });
  // the first divergence first (its index says where to look), then the counts
  for (let i = 0; i < Math.min(journalFills.length, expectedFills.length); i++) {
    expect({ i, ...cut(journalFills[i]) }).toEqual({ i, ...cut(expectedFills[i]) });
    expect(Math.abs(journalFills[i].amount - expectedFills[i].amount), `fill ${i} amount`).toBeLessThanOrEqual(1e-8 * Math.max(1, expectedFills[i].amount));
    expect(Math.abs(journalFills[i].price - expectedFills[i].price), `fill ${i} price`).toBeLessThanOrEqual(1e-8 * expectedFills[i].price);
    expect(Math.abs(journalFills[i].fee - expectedFills[i].fee), `fill ${i} fee`).toBeLessThanOrEqual(1e-8 * Math.max(1, expectedFills[i].fee));
  }
  expect(journalFills.length).toBe(expectedFills.filter((f) => f.tag !== 'end_of_data').length);
  return journalFills.length;
}

const comparable = (t: TradeRecord) => ({ ...t, reason: t.reason === 'end_of_data' ? 'end_of_data' : t.reason });

/** The bot's closed trades (from its OMS fills) equal the backtest's, except what the backtest closes at the end (end_of_data): the replay bot stops holding it. */
export async function expectSameTrades(bots: BotsService, botId: string, expected: BacktestResult): Promise<number> {
  const got = await bots.tradesOf(botId);
  const closed = expected.trades.filter((t) => t.reason !== 'end_of_data');
  expect(got.trades.length).toBe(closed.length);
  for (let i = 0; i < closed.length; i++) {
    const a = got.trades[i];
    const e = comparable(closed[i]);
    expect({ i, entryTime: a.entryTime, exitTime: a.exitTime, side: a.side, reason: a.reason, dca: a.dcaCount }).toEqual({
      i,
      entryTime: e.entryTime,
      exitTime: e.exitTime,
      side: e.side,
      reason: e.reason,
      dca: e.dcaCount,
    });
    for (const k of ['entryPrice', 'exitPrice', 'qty', 'fees', 'pnl'] as const) expect(Math.abs(a[k] - e[k]), `trade ${i} ${k}: ${a[k]} vs ${e[k]}`).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(e[k])));
  }
  return got.trades.length;
}

/** One decision per candle, the journal replays identically through the pure strategy, and (`tamper`) a journal edited by hand is caught. */
export async function expectJournalReplays(repo: BotsRepository, botId: string, strategy: BotStrategyName, candles: number, tamper = true): Promise<JournalEntry[]> {
  const kinds = await repo.countDecisionsByKind(botId);
  expect(kinds.candle).toBe(candles);
  const entries = await journalOf(repo, botId);
  expect(replayJournal(botStrategy(strategy), entries)).toEqual({ identical: true, decisions: entries.length });
  // the state the worker stored (read back from PostgreSQL) is the state its last journal entry hashed
  const row = await repo.findById(botId);
  expect(stateHash(row!.state)).toBe(entries[entries.length - 1].stateHash);
  if (!tamper) return entries;
  // the first candle entry from the middle on: its close raised by 1 % — caught at that entry (by its hash, even
  // where the edit would leave the strategy's state unchanged)
  const at = entries.findIndex((e, i) => i >= Math.floor(entries.length / 2) && e.input.kind === 'candle');
  const tampered = entries.map((e, i) => (i === at && e.input.kind === 'candle' ? { ...e, input: { ...e.input, candle: { ...e.input.candle, close: e.input.candle.close * 1.01 } } } : e));
  expect(replayJournal(botStrategy(strategy), tampered)).toMatchObject({ identical: false, seq: entries[at].seq });
  return entries;
}
