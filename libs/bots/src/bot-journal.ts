import { createHash } from 'node:crypto';
import type { Candle, CommandInput, Fill, Intent, MarketSpec, OrderClosedEvent, Strategy, Timeframe } from '@tb/strategies';
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
  | { readonly kind: 'settings'; readonly settings: unknown }
  /**
   * A trader command (docs/adr/0018-trader-commands.md), applied after the decision on `candleTime` (the open time
   * of the last candle decided before it; null before the first): a backtest given the same command at that candle
   * time makes the same trades.
   */
  | { readonly kind: 'command'; readonly command: CommandInput; readonly candleTime: number | null };

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
    case 'command':
      if (!strategy.onCommand) throw new Error(`strategy ${strategy.name} takes no commands`);
      return strategy.onCommand(state, input.command, market);
  }
}

/**
 * JSON with object keys sorted at every level: the same value always gives the same text, whatever order its keys
 * were built in (PostgreSQL's jsonb, where states and journals are stored, does not keep key order). The text is
 * exactly `JSON.stringify` of a copy whose objects were rebuilt in sorted key order — so integer-like keys come
 * first in numeric order, as JavaScript enumerates them — written in one pass (it runs for every journal entry).
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

function write(v: unknown): string | undefined {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(v); // throws, as JSON.stringify does
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined; // left out of objects, null in arrays
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (write(v[i]) ?? 'null');
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort(byEnumerationOfSorted);
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = write(o[k]);
    if (x === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + x;
    first = false;
  }
  return out + '}';
}

const MAX_INDEX = 4294967294; // 2^32 - 2: the largest array index, which objects enumerate first in numeric order
const isIndex = (k: string): boolean => {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  const n = Number(k);
  return Number.isInteger(n) && n <= MAX_INDEX && String(n) === k;
};

/** Integer-like keys first, ascending numerically; then the rest in code-unit order (the default sort). */
function byEnumerationOfSorted(a: string, b: string): number {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
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
    case 'command':
      return `command:${input.command.id}`;
  }
}

export interface JournalEntry {
  readonly seq: number;
  readonly input: JournalInput;
  readonly intents: readonly Intent[];
  readonly stateHash: string;
  /** sha-256 of the entry itself (`entryHash`); absent on entries written before it existed */
  readonly entryHash?: string | null;
}

/** sha-256 of a journal entry: its input, its intents and the hash of the state after it. */
export function entryHash(input: JournalInput, intents: readonly Intent[], stateHashHex: string): string {
  return createHash('sha256').update(canonicalJson(input)).update('\n').update(canonicalJson(intents)).update('\n').update(stateHashHex).digest('hex');
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
    if (e.entryHash && entryHash(e.input, e.intents, e.stateHash) !== e.entryHash) {
      return { identical: false, seq: e.seq, reason: 'the entry was edited: its input or intents no longer match its hash' };
    }
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
