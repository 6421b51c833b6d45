import type { PositionSide, SettingsIssue, Strategy } from './contract';

/**
 * Trader commands (docs/adr/0018-trader-commands.md): what a trader (REST, Telegram's /sl and /tp, a signal
 * webhook) asks a running strategy to do. A command is one more journaled input: `onCommand(state, command, market?)`
 * is pure like decide/onFill, so a bot's journal still replays exactly and a backtest given the same commands at the
 * same candle times makes the same trades.
 *
 * A command reaches the strategy right after the decision on the candle it belongs to (the last candle decided
 * before it) and before the next candle is walked. Orders it causes are keyed `${botId}:cmd:${id}>${kind}:${i}`.
 */
export type StrategyCommand =
  /** a manual stop-loss price for the position on `side` (the original's `/sl set`) */
  | { readonly type: 'set_stop_loss'; readonly side: PositionSide; readonly price: number }
  | { readonly type: 'clear_stop_loss'; readonly side: PositionSide }
  /** manual take-profit prices and the % of the position each closes (the original's `/tp set P1 P2 P3 S1 S2 S3`) */
  | { readonly type: 'set_take_profit'; readonly side: PositionSide; readonly prices: readonly number[]; readonly sizes: readonly number[] }
  | { readonly type: 'clear_take_profit'; readonly side: PositionSide }
  /** close `percent` % of the position now (at market); `side` absent = the position the strategy holds */
  | { readonly type: 'close_percent'; readonly percent: number; readonly side?: PositionSide }
  | { readonly type: 'skip_next_entry' }
  /** open a position now (market); `size` in base units, absent = the strategy's own entry size */
  | { readonly type: 'force_entry'; readonly side: PositionSide; readonly size?: number };

export type StrategyCommandType = StrategyCommand['type'];

export const STRATEGY_COMMAND_TYPES: readonly StrategyCommandType[] = [
  'set_stop_loss',
  'clear_stop_loss',
  'set_take_profit',
  'clear_take_profit',
  'close_percent',
  'skip_next_entry',
  'force_entry',
];

/** A command as the strategy receives it: a deterministic id (keys of the orders it causes) and the command. */
export interface CommandInput {
  readonly id: string;
  readonly command: StrategyCommand;
}

/** Thrown when a command is malformed or not accepted by the strategy; `issues` name each bad field (API: 400). */
export class StrategyCommandError extends Error {
  readonly code = 'STRATEGY_COMMAND_INVALID';
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(`invalid command: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'StrategyCommandError';
  }
}

/** A command id: letters, digits, `-`, `_`, `.`, `:` (1..80) — it becomes part of order keys. */
export const COMMAND_ID = /^[A-Za-z0-9_.:-]{1,80}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finitePositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function side(o: Record<string, unknown>, issues: SettingsIssue[], optional = false): PositionSide | undefined {
  const v = o.side;
  if (v === undefined && optional) return undefined;
  if (v !== 'long' && v !== 'short') {
    issues.push({ field: 'side', message: 'must be long or short' });
    return undefined;
  }
  return v;
}

function allowOnly(o: Record<string, unknown>, keys: readonly string[], issues: SettingsIssue[]): void {
  for (const k of Object.keys(o)) if (k !== 'type' && !keys.includes(k)) issues.push({ field: k, message: 'unknown field for this command' });
}

/**
 * Validates a raw command (e.g. a request body) against the shape of its type and the strategy's accepted list.
 * Throws StrategyCommandError with every issue found.
 */
export function parseStrategyCommand(input: unknown, accepted: readonly StrategyCommandType[]): StrategyCommand {
  if (!isRecord(input)) throw new StrategyCommandError([{ field: 'command', message: 'must be an object' }]);
  const type = input.type;
  if (typeof type !== 'string' || !(STRATEGY_COMMAND_TYPES as readonly string[]).includes(type)) {
    throw new StrategyCommandError([{ field: 'type', message: `must be one of ${STRATEGY_COMMAND_TYPES.join(', ')}` }]);
  }
  const t = type as StrategyCommandType;
  if (!accepted.includes(t)) {
    throw new StrategyCommandError([{ field: 'type', message: `this strategy does not accept ${t}; it accepts ${accepted.join(', ') || 'no commands'}` }]);
  }
  const issues: SettingsIssue[] = [];
  let out: StrategyCommand | null = null;
  switch (t) {
    case 'set_stop_loss': {
      allowOnly(input, ['side', 'price'], issues);
      const s = side(input, issues);
      if (!finitePositive(input.price)) issues.push({ field: 'price', message: 'must be a number > 0' });
      if (s) out = { type: t, side: s, price: input.price as number };
      break;
    }
    case 'clear_stop_loss':
    case 'clear_take_profit': {
      allowOnly(input, ['side'], issues);
      const s = side(input, issues);
      if (s) out = { type: t, side: s };
      break;
    }
    case 'set_take_profit': {
      allowOnly(input, ['side', 'prices', 'sizes'], issues);
      const s = side(input, issues);
      const prices = input.prices;
      const sizes = input.sizes;
      if (!Array.isArray(prices) || prices.length < 1 || prices.length > 3 || !prices.every(finitePositive)) {
        issues.push({ field: 'prices', message: 'must be 1 to 3 numbers > 0' });
      }
      if (!Array.isArray(sizes) || !sizes.every((x) => finitePositive(x) && (x as number) <= 100)) {
        issues.push({ field: 'sizes', message: 'must be numbers in (0, 100]: % of the position each take-profit closes' });
      } else if (Array.isArray(prices) && sizes.length !== prices.length) {
        issues.push({ field: 'sizes', message: 'must have one size per price' });
      } else if ((sizes as number[]).reduce((a, b) => a + b, 0) > 100 + 1e-9) {
        issues.push({ field: 'sizes', message: 'must add up to at most 100 (% of the position)' });
      }
      if (s && issues.length === 0) out = { type: t, side: s, prices: [...(prices as number[])], sizes: [...(sizes as number[])] };
      break;
    }
    case 'close_percent': {
      allowOnly(input, ['percent', 'side'], issues);
      const s = side(input, issues, true);
      const p = input.percent;
      if (!finitePositive(p) || p > 100) issues.push({ field: 'percent', message: 'must be a number in (0, 100]' });
      out = { type: t, percent: p as number, ...(s ? { side: s } : {}) };
      break;
    }
    case 'skip_next_entry':
      allowOnly(input, [], issues);
      out = { type: t };
      break;
    case 'force_entry': {
      allowOnly(input, ['side', 'size'], issues);
      const s = side(input, issues);
      if (input.size !== undefined && input.size !== null && !finitePositive(input.size)) issues.push({ field: 'size', message: 'must be a number > 0 (base units)' });
      if (s) out = { type: t, side: s, ...(finitePositive(input.size) ? { size: input.size } : {}) };
      break;
    }
  }
  if (issues.length > 0 || out === null) throw new StrategyCommandError(issues.length ? issues : [{ field: 'command', message: 'invalid' }]);
  return out;
}

/** Parses a raw command for one strategy: its shape, the strategy's accepted list, then the strategy's own checks. */
export function parseCommandFor(strategy: Pick<Strategy<unknown, unknown>, 'name' | 'commands' | 'checkCommand' | 'onCommand'>, input: unknown): StrategyCommand {
  const accepted = strategy.onCommand ? (strategy.commands ?? []) : [];
  const cmd = parseStrategyCommand(input, accepted);
  const issues = strategy.checkCommand?.(cmd) ?? [];
  if (issues.length > 0) throw new StrategyCommandError(issues);
  return cmd;
}
