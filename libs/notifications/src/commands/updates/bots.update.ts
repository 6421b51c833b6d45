import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import { respond } from '../../bot/respond';
import { userOf, type LinkedContext } from '../../bot/telegram-context';
import { CB, cb } from '../callback-data';
import { botTitle, formatBots, formatStatus } from '../format';
import { keyboards } from '../keyboards';
import { TelegramTraderService } from '../telegram-trader.service';

type Matched = LinkedContext & { match: RegExpExecArray };

/** /status (with Refresh), /bots, /stop (pick, confirm, close or keep the position), /pause, /resume. */
@Update()
export class BotsUpdate {
  constructor(private readonly trader: TelegramTraderService) {}

  @Command('status')
  async status(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatStatus(await this.trader.botLines(userOf(ctx), true), new Date()), keyboard: keyboards.statusRefresh() });
  }

  @Action(CB.statusRefresh)
  async refresh(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatStatus(await this.trader.botLines(userOf(ctx), true), new Date()), keyboard: keyboards.statusRefresh(), edit: true, toast: 'Refreshed' });
  }

  @Command('bots')
  async bots(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatBots(await this.trader.botLines(userOf(ctx), false)) });
  }

  @Command('stop')
  async stop(@Ctx() ctx: LinkedContext): Promise<void> {
    const bots = await this.trader.botsIn(userOf(ctx), ['running', 'paused', 'error']);
    await respond(ctx, bots.length ? { text: 'Which bot do you want to stop?', keyboard: keyboards.pickBot(bots, cb.stopPick) } : { text: 'No bot is running.' });
  }

  @Action(CB.stopPick)
  async stopPick(@Ctx() ctx: Matched): Promise<void> {
    const d = await this.trader.bot(userOf(ctx), ctx.match[1]);
    await respond(ctx, { text: `Stop ${botTitle(d.bot)}?\nIts resting orders are cancelled; you choose whether its position is closed at market.`, keyboard: keyboards.stopConfirm(d.bot.id), edit: true });
  }

  @Action(CB.stopConfirm)
  async stopConfirm(@Ctx() ctx: Matched): Promise<void> {
    const close = ctx.match[2] === '1';
    const b = await this.trader.stop(userOf(ctx), ctx.match[1], close);
    await respond(ctx, { text: `⏹ Stopped${close ? ', position closed at market' : ', position kept'}\n${botTitle(b)}`, edit: true, toast: 'Stopped' });
  }

  @Command('pause')
  async pause(@Ctx() ctx: LinkedContext): Promise<void> {
    const bots = await this.trader.botsIn(userOf(ctx), ['running']);
    await respond(ctx, bots.length ? { text: 'Which bot do you want to pause? (it keeps deciding but sends no new order)', keyboard: keyboards.pickBot(bots, cb.pause) } : { text: 'No bot is running.' });
  }

  @Action(CB.pause)
  async pausePick(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, { text: `⏸ Paused\n${botTitle(await this.trader.pause(userOf(ctx), ctx.match[1]))}`, edit: true, toast: 'Paused' });
  }

  @Command('resume')
  async resume(@Ctx() ctx: LinkedContext): Promise<void> {
    const bots = await this.trader.botsIn(userOf(ctx), ['paused']);
    await respond(ctx, bots.length ? { text: 'Which bot do you want to resume?', keyboard: keyboards.pickBot(bots, cb.resume) } : { text: 'No bot is paused.' });
  }

  @Action(CB.resume)
  async resumePick(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, { text: `▶️ Resumed\n${botTitle(await this.trader.resume(userOf(ctx), ctx.match[1]))}`, edit: true, toast: 'Resumed' });
  }
}
