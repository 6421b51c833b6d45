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

/** The state's settings are replaced by a settings change (both strategies keep their parsed settings on the state). */
export function withSettings(state: unknown, settings: unknown): unknown {
  return { ...(state as Record<string, unknown>), settings };
}
