import { createHash } from 'node:crypto';
import type { Candle, Fill, Intent, MarketSpec, OrderClosedEvent, Strategy, Timeframe } from '@tb/strategies';
import { withSettings } from './bot-strategies';

/**
 * The decision journal's inputs (docs/adr/0010-bot-runtime.md). Everything a bot's strategy sees is one of these,
 * in order; the journal stores each with the intents the strategy answered and the hash of its new state, so the
 * whole life of a bot replays through the pure strategy (`tb bots replay`).
 */
export type JournalInput =
  | { readonly kind: 'init'; readonly botId: string; readonly settings: unknown; readonly market: MarketSpec; readonly timeframe: Timeframe }
  /** `expire`: the candle's place intents are not sent (stale after downtime, paused bot, warm-up) */
  | { readonly kind: 'candle'; readonly candle: Candle; readonly expire: 'stale' | 'paused' | 'warmup' | null }
  | { readonly kind: 'fill'; readonly fill: Fill }
  | { readonly kind: 'closed'; readonly event: OrderClosedEvent }
  | { readonly kind: 'settings'; readonly settings: unknown };

export interface StepResult {
  readonly state: unknown;
  readonly intents: readonly Intent[];
}

/** Apply one input to the strategy (pure). `init` builds the initial state (settings already parsed). */
export function applyInput(strategy: Strategy<unknown, unknown>, state: unknown, input: JournalInput, market: MarketSpec): StepResult {
  switch (input.kind) {
    case 'init':
      return { state: strategy.init({ botId: input.botId, settings: input.settings, market: input.market, timeframe: input.timeframe }), intents: [] };
    case 'candle':
      return strategy.decide(state, input.candle, market);
    case 'fill':
      return strategy.onFill(state, input.fill);
    case 'closed':
      return strategy.onOrderClosed(state, input.event);
    case 'settings':
      return strategy.onSettings ? strategy.onSettings(state, input.settings) : { state: withSettings(state, input.settings), intents: [] };
  }
}

/**
 * JSON with object keys sorted at every level: the same value always gives the same text, whatever order its keys
 * were built in (PostgreSQL's jsonb, where states and journals are stored, does not keep key order).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  });
}

/** sha-256 of the state's canonical JSON. */
export function stateHash(state: unknown): string {
  return createHash('sha256').update(canonicalJson(state)).digest('hex');
}

export function inputKey(input: JournalInput): string {
  switch (input.kind) {
    case 'init':
      return 'init';
    case 'candle':
      return `candle:${input.candle.time}`;
    case 'fill':
      return `fill:${input.fill.key}:${input.fill.time}:${input.fill.amount}:${input.fill.price}`;
    case 'closed':
      return `closed:${input.event.key}`;
    case 'settings':
      return `settings:${stateHash(input.settings).slice(0, 16)}`;
  }
}

export interface JournalEntry {
  readonly seq: number;
  readonly input: JournalInput;
  readonly intents: readonly Intent[];
  readonly stateHash: string;
}

export type ReplayVerdict = { readonly identical: true; readonly decisions: number } | { readonly identical: false; readonly seq: number; readonly reason: string };

/** Re-run a journal through the pure strategy from its initial state; the first divergence, or identical. */
export function replayJournal(strategy: Strategy<unknown, unknown>, entries: readonly JournalEntry[]): ReplayVerdict {
  let state: unknown = undefined;
  let market: MarketSpec | null = null;
  let expectSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectSeq) return { identical: false, seq: e.seq, reason: `journal gap: expected decision ${expectSeq}, found ${e.seq}` };
    expectSeq++;
    if (e.seq === 1 && e.input.kind !== 'init') return { identical: false, seq: e.seq, reason: 'the journal does not start with init' };
    if (e.input.kind === 'init') market = e.input.market;
    let r: StepResult;
    try {
      r = applyInput(strategy, state === undefined ? undefined : structuredClone(state), e.input, market as MarketSpec);
    } catch (err) {
      return { identical: false, seq: e.seq, reason: `the strategy failed: ${(err as Error).message}` };
    }
    const got = canonicalJson(r.intents);
    const want = canonicalJson(e.intents);
    if (got !== want) return { identical: false, seq: e.seq, reason: `intents differ: journal ${want.slice(0, 300)} vs replay ${got.slice(0, 300)}` };
    const h = stateHash(r.state);
    if (h !== e.stateHash) return { identical: false, seq: e.seq, reason: `state hash differs: journal ${e.stateHash} vs replay ${h}` };
    state = r.state;
  }
  return { identical: true, decisions: entries.length };
}
