import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import { respond } from '../../bot/respond';
import { chatOf, userOf, type LinkedContext } from '../../bot/telegram-context';
import { CB } from '../callback-data';
import { TradeFlow } from '../trade.flow';

type Matched = LinkedContext & { match: RegExpExecArray };

/** /trade and its keyboard (the steps live in TradeFlow). */
@Update()
export class TradeUpdate {
  constructor(private readonly flow: TradeFlow) {}

  @Command('trade')
  async trade(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, await this.flow.begin(chatOf(ctx), userOf(ctx)));
  }

  @Action(CB.trade)
  async step(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, await this.flow.press(chatOf(ctx), userOf(ctx), ctx.match[1], ctx.match[2]));
  }

  @Action(CB.tradeConfirm)
  async confirm(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, await this.flow.confirmPressed(chatOf(ctx), userOf(ctx)));
  }
}
