import type { Context } from 'telegraf';

/** The telegraf context of our handlers: the gate puts the linked user in, handlers put the callback answer. */
export interface LinkedContext extends Context {
  state: { userId?: string; answer?: string };
}

/** The linked user of the update (the gate lets no other update reach a handler). */
export function userOf(ctx: LinkedContext): string {
  const id = ctx.state.userId;
  if (!id) throw new Error('update reached a handler without a linked user');
  return id;
}

export const chatOf = (ctx: Context): string => String(ctx.chat!.id);

/** The words after a command (`/daily 7` → ['7']). */
export const argsOf = (ctx: Context): string[] => (ctx.message && 'text' in ctx.message ? ctx.message.text.trim().split(/\s+/).slice(1) : []);
