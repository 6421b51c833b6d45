import { Action, Command, Ctx, Help, Start, Update } from 'nestjs-telegraf';
import { BOT_COMMANDS } from '../../bot/bot-commands';
import { REFUSAL } from '../../bot/telegram-gate';
import { argsOf, chatOf, type LinkedContext } from '../../bot/telegram-context';
import { respond } from '../../bot/respond';
import { TelegramLinkingService } from '../../linking/telegram-linking.service';
import { CB } from '../callback-data';
import { ConversationStore } from '../conversation.store';
import { formatHelp } from '../format';


/** /start <code> (linking), /unlink, /help, /cancel and the ✖ button of every flow. */
@Update()
export class LinkUpdate {
  constructor(
    private readonly linking: TelegramLinkingService,
    private readonly conv: ConversationStore,
  ) {}

  @Start()
  async start(@Ctx() ctx: LinkedContext): Promise<void> {
    const code = argsOf(ctx)[0] ?? '';
    if (!code) {
      const linked = await this.linking.userOfChat(chatOf(ctx));
      await ctx.reply(linked ? 'This chat is linked. Send /help for the commands.' : REFUSAL);
      return;
    }
    const userId = await this.linking.redeem(code, chatOf(ctx), ctx.from?.username ?? null);
    await ctx.reply(userId ? 'Linked. This chat now receives your notifications; send /help for the commands.' : 'That code is unknown, used or expired. Ask the app for a new one.');
  }

  @Command('unlink')
  async unlink(@Ctx() ctx: LinkedContext): Promise<void> {
    await this.linking.unlinkChat(chatOf(ctx));
    await this.conv.clear(chatOf(ctx));
    await ctx.reply('Unlinked. This chat receives nothing more; link it again with a new code.');
  }

  @Help()
  async help(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatHelp(BOT_COMMANDS) });
  }

  @Command('cancel')
  async cancel(@Ctx() ctx: LinkedContext): Promise<void> {
    await ctx.reply((await this.conv.clear(chatOf(ctx))) ? 'Cancelled. Nothing was changed.' : 'Nothing to cancel.');
  }

  @Action(CB.cancel)
  async cancelButton(@Ctx() ctx: LinkedContext): Promise<void> {
    await this.conv.clear(chatOf(ctx));
    await respond(ctx, { text: 'Closed.', edit: true, toast: 'Closed' });
  }
}
