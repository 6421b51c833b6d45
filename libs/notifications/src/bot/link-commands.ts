import { Injectable } from '@nestjs/common';
import type { Context, Telegraf } from 'telegraf';
import { TelegramLinkingService } from '../linking/telegram-linking.service';

export const REFUSAL = 'This chat is not linked to a TradingBoost account. Ask the app for a link code, then send /start <code>.';

/** The commands every bot has, in /help order (registered with setMyCommands). */
export const BOT_COMMANDS = [
  { command: 'start', description: 'Link this chat: /start <code>' },
  { command: 'help', description: 'What this bot can do' },
  { command: 'unlink', description: 'Unlink this chat from your account' },
] as const;

export interface LinkedContext extends Context {
  state: { userId?: string };
}

/** /start <code>, /unlink, and the gate: any other update of an unlinked chat gets a polite refusal and nothing else. */
@Injectable()
export class LinkCommands {
  constructor(private readonly linking: TelegramLinkingService) {}

  register(bot: Telegraf<LinkedContext>): void {
    bot.command('start', async (ctx) => {
      const code = ctx.message.text.split(/\s+/)[1] ?? '';
      const chatId = String(ctx.chat.id);
      if (!code) {
        const linked = await this.linking.userOfChat(chatId);
        await ctx.reply(linked ? 'This chat is linked. Send /help for the commands.' : REFUSAL);
        return;
      }
      const userId = await this.linking.redeem(code, chatId, ctx.from?.username ?? null);
      await ctx.reply(userId ? 'Linked. This chat now receives your notifications; send /help for the commands.' : 'That code is unknown, used or expired. Ask the app for a new one.');
    });
    bot.use(async (ctx, next) => {
      const chatId = ctx.chat?.id;
      const userId = chatId === undefined ? null : await this.linking.userOfChat(String(chatId));
      if (!userId) {
        if (ctx.callbackQuery) await ctx.answerCbQuery('This chat is not linked.');
        else if (chatId !== undefined) await ctx.reply(REFUSAL);
        return;
      }
      ctx.state.userId = userId;
      await next();
    });
    bot.command('unlink', async (ctx) => {
      await this.linking.unlinkChat(String(ctx.chat.id));
      await ctx.reply('Unlinked. This chat receives nothing more; link it again with a new code.');
    });
    bot.command('help', async (ctx) => {
      await ctx.reply(BOT_COMMANDS.map((c) => `/${c.command} — ${c.description}`).join('\n'));
    });
  }
}
