import { IllegalStateTransitionError } from '@tb/common';

export const BOT_STATUSES = ['stopped', 'starting', 'running', 'paused', 'stopping', 'error'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

/** Statuses in which a bot holds its (account, symbol): at most one such bot per pair. */
export const ACTIVE_BOT_STATUSES: readonly BotStatus[] = ['starting', 'running', 'paused', 'stopping'];

/** stopped → starting → running ⇄ paused → stopping → stopped, plus error (with a reason) from anywhere active. */
const MOVES: Readonly<Record<BotStatus, readonly BotStatus[]>> = {
  stopped: ['starting'],
  starting: ['running', 'stopped', 'error'],
  running: ['paused', 'stopping', 'error'],
  paused: ['running', 'stopping', 'error'],
  stopping: ['stopped', 'error'],
  error: ['starting', 'stopping', 'stopped'],
};

export function canMoveBot(from: BotStatus, to: BotStatus): boolean {
  return MOVES[from].includes(to);
}

export function assertBotMove(from: BotStatus, to: BotStatus): void {
  if (!canMoveBot(from, to)) throw new IllegalStateTransitionError('bot', from, to);
}
