import { Logger } from '@nestjs/common';
import type { MiddlewareFn } from 'telegraf';
import { DomainError } from '@tb/common';
import { formatError } from '../commands/format';
import type { TelegramLinkingService } from '../linking/telegram-linking.service';
import type { LinkedContext } from './telegram-context';

export const REFUSAL = 'This chat is not linked to a TradingBoost account. Ask the app for a link code, then send /start <code>.';

const START = /^\/start(@\w+)?(\s|$)/;

/**
 * The first middleware of the bot (before every handler):
 * - an unlinked chat gets the polite refusal and nothing else (only `/start <code>` passes, to link it);
 * - the linked user's id goes into `ctx.state.userId`: handlers scope every call by it;
 * - a refusal of a service (a DomainError: bad setting, illegal move, 404 of another user's bot) is answered in words;
 * - every callback query is answered, once, after its handler (with `ctx.state.answer` as the toast).
 */
export function telegramGate(linking: TelegramLinkingService): MiddlewareFn<LinkedContext> {
  const logger = new Logger('TelegramGate');
  return async (ctx, next) => {
    const chatId = ctx.chat?.id;
    try {
      const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
      if (START.test(text)) return await next();
      const userId = chatId === undefined ? null : await linking.userOfChat(String(chatId));
      if (!userId) {
        if (ctx.callbackQuery) ctx.state.answer = 'This chat is not linked.';
        else if (chatId !== undefined) await ctx.reply(REFUSAL);
        return;
      }
      ctx.state.userId = userId;
      await next();
    } catch (e) {
      const known = e instanceof DomainError;
      if (!known) logger.warn({ msg: 'telegram handler failed', chatId, error: (e as Error).message });
      const text = known ? formatError(e.message, e.details) : 'Something went wrong on our side; try again in a moment.';
      if (ctx.callbackQuery) ctx.state.answer = known ? 'Not accepted' : 'Failed';
      if (chatId !== undefined) await ctx.reply(text).catch(() => undefined);
    } finally {
      if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.state.answer).catch(() => undefined);
    }
  };
}
