import { Injectable } from '@nestjs/common';
import { BadRequestError } from '@tb/common';
import { OrdersService } from '@tb/orders';
import type { GridState } from '@tb/strategies';
import type { BotEntity } from '../bot.entity';
import { BotsService } from '../bots.service';
import { gridLevels, type GridLevelView } from './grid-levels';

/** The settings an adjust may change on a running grid (docs/adr/0019-grid-controls-and-stats.md). */
export interface GridAdjustment {
  readonly lowerPrice?: number;
  readonly upperPrice?: number;
  readonly gridNum?: number;
  readonly investment?: number;
  readonly quotePerGrid?: number;
  readonly basePerGrid?: number;
  readonly direction?: 'long' | 'short' | 'neutral';
}

export interface GridLevelsView {
  readonly bot: BotEntity;
  /** null before the bot's first evaluation */
  readonly levels: readonly GridLevelView[] | null;
}

/** GRID controls: the levels of a grid bot, and adjusting a running grid (a journaled settings change). */
@Injectable()
export class GridControlsService {
  constructor(
    private readonly bots: BotsService,
    private readonly orders: OrdersService,
  ) {}

  async levels(userId: string, botId: string): Promise<GridLevelsView> {
    const bot = await this.bots.get(userId, botId, 'grid');
    if (bot.state === null) return { bot, levels: null };
    return { bot, levels: gridLevels(bot.state as GridState, await this.orders.ordersOfBot(botId)) };
  }

  /**
   * Change the range, count, investment or direction: validated (as settings and against the grid's state), then
   * journaled as a settings change; the strategy cancels only what changed and the next candle re-places it.
   */
  async adjust(userId: string, botId: string, change: GridAdjustment): Promise<BotEntity> {
    const patch = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    if (Object.keys(patch).length === 0) throw new BadRequestError('nothing to adjust: give at least one of lowerPrice, upperPrice, gridNum, investment, quotePerGrid, basePerGrid, direction');
    await this.bots.get(userId, botId, 'grid');
    return this.bots.updateSettings(userId, botId, patch);
  }
}
