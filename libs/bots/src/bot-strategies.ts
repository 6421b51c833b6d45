import { gridStrategy, hyperrsiStrategy, type Strategy } from '@tb/strategies';
import type { BotStrategyName } from './bot.entity';

/** The strategies a bot can run, by the name stored on the bot (a closed union: no string-keyed lookup). */
export const BOT_STRATEGY_NAMES: readonly BotStrategyName[] = ['hyperrsi', 'grid'];

export function botStrategy(name: BotStrategyName): Strategy<unknown, unknown> {
  switch (name) {
    case 'hyperrsi':
      return hyperrsiStrategy as unknown as Strategy<unknown, unknown>;
    case 'grid':
      return gridStrategy as unknown as Strategy<unknown, unknown>;
  }
}

/**
 * Raw settings as a bot or preset stores them: every key under the strategy's own name (HYPERRSI the original's
 * snake_case, GRID camelCase; the other spelling is accepted on input). A later spelling of a key wins, so a patch or
 * a request's settings over stored ones replace them whichever spelling each uses.
 */
export function storedSettings(name: BotStrategyName, raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const s = botStrategy(name);
  return s.canonicalKeys ? s.canonicalKeys(raw) : { ...raw };
}

/** The state's settings are replaced by a settings change (both strategies keep their parsed settings on the state). */
export function withSettings(state: unknown, settings: unknown): unknown {
  return { ...(state as Record<string, unknown>), settings };
}
