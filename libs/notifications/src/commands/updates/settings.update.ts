import { Action, Command, Ctx, Next, On, Update } from 'nestjs-telegraf';
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
    if (text.startsWith('/')) return next();
    await respond(ctx, await this.flow.typed(chatOf(ctx), userOf(ctx), text));
  }
}
