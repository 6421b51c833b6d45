import type { Answer } from '../commands/answer';
import { splitMessage } from '../commands/split-message';
import type { LinkedContext } from './telegram-context';

const NOT_MODIFIED = /message is not modified/i;

/**
 * Sends an answer: edited into the pressed message when asked (and short enough), else as new messages split below
 * Telegram's limit, the keyboard on the last one. The toast goes to the gate, which answers the callback query.
 */
export async function respond(ctx: LinkedContext, a: Answer): Promise<void> {
  if (a.toast) ctx.state.answer = a.toast;
  const parts = splitMessage(a.text);
  const markup = a.keyboard ? { reply_markup: { inline_keyboard: a.keyboard.inline_keyboard.map((r) => [...r]) } } : {};
  if (a.edit && ctx.callbackQuery && parts.length === 1) {
    try {
      await ctx.editMessageText(parts[0], markup);
    } catch (e) {
      if (!NOT_MODIFIED.test((e as Error).message)) throw e;
      ctx.state.answer ??= 'Up to date';
    }
    return;
  }
  for (let i = 0; i < parts.length; i++) await ctx.reply(parts[i], i === parts.length - 1 ? markup : {});
}
