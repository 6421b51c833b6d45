import { Command, Ctx, Update } from 'nestjs-telegraf';
import { respond } from '../../bot/respond';
import { argsOf, userOf, type LinkedContext } from '../../bot/telegram-context';
import { botTitle, formatProtection, num } from '../format';
import { parseProtectionArgs } from '../protection-args';
import { TelegramTraderService } from '../telegram-trader.service';


/** /sl and /tp: set, show or clear a bot's manual stop-loss / take-profit (the bots' command inbox, like the REST API). */
@Update()
export class ProtectionUpdate {
  constructor(private readonly trader: TelegramTraderService) {}

  @Command('sl')
  async sl(@Ctx() ctx: LinkedContext): Promise<void> {
    await this.handle(ctx, 'sl');
  }

  @Command('tp')
  async tp(@Ctx() ctx: LinkedContext): Promise<void> {
    await this.handle(ctx, 'tp');
  }

  private async handle(ctx: LinkedContext, kind: 'sl' | 'tp'): Promise<void> {
    const userId = userOf(ctx);
    const req = parseProtectionArgs(kind, argsOf(ctx));
    if (req.action === 'error') return respond(ctx, { text: req.message });
    const bot = await this.trader.activeBot(userId, req.ref);
    const name = kind === 'sl' ? 'stop-loss' : 'take-profit';
    if (req.action === 'show') return respond(ctx, { text: formatProtection(kind, bot, await this.trader.protectionOrders(userId, bot.id)) });
    if (req.action === 'clear') {
      await this.trader.clear(userId, bot.id, kind, req.side);
      return respond(ctx, { text: `🧹 Clearing the ${req.side} manual ${name} · ${botTitle(bot)}\nThe bot applies it at its next evaluation.` });
    }
    if (kind === 'sl') await this.trader.setStopLoss(userId, bot.id, req.side, req.prices[0]);
    else await this.trader.setTakeProfit(userId, bot.id, req.side, req.prices, req.sizes);
    const levels = req.prices.map((p, i) => (kind === 'tp' ? `${num(p)} (${num(req.sizes[i])}%)` : num(p))).join(', ');
    await respond(ctx, { text: `🎯 ${req.side} manual ${name} ${levels} queued · ${botTitle(bot)}\nThe bot applies it at its next evaluation; /${kind} show lists the resting orders.` });
  }
}
