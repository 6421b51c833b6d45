import { Action, Command, Ctx, Next, On, Update } from 'nestjs-telegraf';
import { BOT_COMMANDS } from '../../bot/bot-commands';
import { respond } from '../../bot/respond';
import { chatOf, userOf, type LinkedContext } from '../../bot/telegram-context';
import { CB } from '../callback-data';
import { SettingsFlow } from '../settings.flow';

type Matched = LinkedContext & { match: RegExpExecArray };

/** /settings, its keyboards, the typed values it asks for, and the notification modes. */
@Update()
export class SettingsUpdate {
  constructor(private readonly flow: SettingsFlow) {}

  @Command('settings')
  async settings(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, await this.flow.begin(userOf(ctx)));
  }

  @Action(CB.settingsBot)
  async page(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, await this.flow.page(userOf(ctx), ctx.match[1], Number(ctx.match[2])));
  }

  @Action(CB.settingsKey)
  async key(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, await this.flow.key(chatOf(ctx), userOf(ctx), ctx.match[1], Number(ctx.match[2])));
  }

  @Action(CB.settingsValue)
  async value(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, await this.flow.choice(userOf(ctx), ctx.match[1], Number(ctx.match[2]), Number(ctx.match[3])));
  }

  @Action(CB.prefsMenu)
  async prefs(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, await this.flow.prefsMenu(userOf(ctx)));
  }

  @Action(CB.prefsCycle)
  async cycle(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, await this.flow.cyclePref(userOf(ctx), Number(ctx.match[1])));
  }

  /** Any text that is not a command: the value a prompt waits for. */
  @On('text')
  async text(@Ctx() ctx: LinkedContext, @Next() next: () => Promise<void>): Promise<void> {
    const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
    if (text.startsWith('/')) {
      // a command of ours is handled by its own handler; anything else is answered here
      const name = /^\/([a-z_]+)/i.exec(text)?.[1]?.toLowerCase();
      if (BOT_COMMANDS.some((c) => c.command === name)) return next();
      return respond(ctx, { text: 'Unknown command. /help lists what this bot can do.' });
    }
    await respond(ctx, await this.flow.typed(chatOf(ctx), userOf(ctx), text));
  }
}
