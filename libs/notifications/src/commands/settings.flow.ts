import { Injectable } from '@nestjs/common';
import { DomainError } from '@tb/common';
import { botStrategy } from '@tb/bots';
import { NOTIFIED_EVENTS, NotificationPrefsService } from '../prefs/notification-prefs.service';
import { NOTIFICATION_MODES } from '../telegram.entity';
import type { Answer } from './answer';
import { ConversationStore } from './conversation.store';
import { formatError, formatPrefs, formatSettingChanged, formatSettings } from './format';
import { SETTINGS_PAGE_SIZE, keyboards } from './keyboards';
import { fieldChoices, fieldHint, parseTypedValue, settingFields, type StrategyName } from './setting-fields';
import { TelegramTraderService } from './telegram-trader.service';

/**
 * /settings: pick a bot, page through its settings, change one with a button (booleans, enums) or by typing the value
 * (the conversation waits for it in Redis); the change goes through the bots service, whose strategy validation
 * answers a bad value in words (and the prompt stays open for another try). Also the notification mode per event.
 */
@Injectable()
export class SettingsFlow {
  constructor(
    private readonly conv: ConversationStore,
    private readonly trader: TelegramTraderService,
    private readonly prefs: NotificationPrefsService,
  ) {}

  async begin(userId: string): Promise<Answer> {
    const bots = await this.trader.botLines(userId, false);
    if (!bots.length) return this.prefsMenu(userId, false);
    return { text: '⚙️ Which bot? (🔔 Notifications: per event on, silent or off)', keyboard: keyboards.settingsPickBot(bots) };
  }

  async page(userId: string, botId: string, page: number, edit = true): Promise<Answer> {
    const d = await this.trader.bot(userId, botId);
    const fields = settingFields(d.bot.strategy);
    const p = Math.min(Math.max(0, page), Math.ceil(fields.length / SETTINGS_PAGE_SIZE) - 1);
    const values = botStrategy(d.bot.strategy).parseSettings(d.bot.settings) as Record<string, unknown>;
    return { text: formatSettings(d.bot, fields, values, p, SETTINGS_PAGE_SIZE), keyboard: keyboards.settings(botId, fields, p), edit };
  }

  async key(chatId: string, userId: string, botId: string, idx: number): Promise<Answer> {
    const d = await this.trader.bot(userId, botId);
    const field = settingFields(d.bot.strategy)[idx];
    if (!field) return { text: 'Unknown setting; open /settings again.', toast: 'Expired' };
    const current = (botStrategy(d.bot.strategy).parseSettings(d.bot.settings) as Record<string, unknown>)[field.key];
    const now = `Now: ${current === null || current === undefined ? 'none' : JSON.stringify(current)}`;
    if (fieldChoices(field)) return { text: `${field.name}: ${field.description}\n${now}`, keyboard: keyboards.settingChoices(botId, idx, field), edit: true };
    await this.conv.set(chatId, { flow: 'setting', botId, idx });
    return { text: `${field.name}: ${field.description}\n${now}\nSend the new value: ${fieldHint(field)}. /cancel to leave.`, edit: true };
  }

  async choice(userId: string, botId: string, idx: number, valueIdx: number): Promise<Answer> {
    const d = await this.trader.bot(userId, botId);
    const field = settingFields(d.bot.strategy)[idx];
    const choices = field ? fieldChoices(field) : null;
    if (!field || !choices || valueIdx >= choices.length) return { text: 'Unknown choice; open /settings again.', toast: 'Expired' };
    return this.apply(userId, botId, d.bot.strategy, idx, choices[valueIdx]);
  }

  /** A typed message: the value the conversation waits for, or a hint when none is awaited. */
  async typed(chatId: string, userId: string, text: string): Promise<Answer> {
    const c = await this.conv.get(chatId);
    if (!c || c.flow !== 'setting') return { text: c?.flow === 'trade' ? 'Use the buttons above, or /cancel.' : 'Send /help for the commands.' };
    const d = await this.trader.bot(userId, c.botId);
    const field = settingFields(d.bot.strategy)[c.idx];
    const a = await this.apply(userId, c.botId, d.bot.strategy, c.idx, parseTypedValue(field, text));
    if (!a.text.startsWith('❌')) await this.conv.clear(chatId);
    return { ...a, edit: false };
  }

  async prefsMenu(userId: string, edit = true): Promise<Answer> {
    const p = await this.prefs.all(userId);
    return { text: formatPrefs(p), keyboard: keyboards.prefs(NOTIFIED_EVENTS, p), edit };
  }

  /** on → silent → off → on. */
  async cyclePref(userId: string, eventIdx: number): Promise<Answer> {
    const event = NOTIFIED_EVENTS[eventIdx];
    if (!event) return { text: 'Unknown event; open /settings again.', toast: 'Expired' };
    const current = (await this.prefs.all(userId))[event];
    const next = NOTIFICATION_MODES[(NOTIFICATION_MODES.indexOf(current) + 1) % NOTIFICATION_MODES.length];
    await this.prefs.set(userId, event, next);
    return { ...(await this.prefsMenu(userId)), toast: `${event}: ${next}` };
  }

  private async apply(userId: string, botId: string, strategy: StrategyName, idx: number, value: unknown): Promise<Answer> {
    const field = settingFields(strategy)[idx];
    try {
      await this.trader.updateSetting(userId, botId, field.name, value);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return { text: `${formatError(e.message, e.details)}\nSend another value, or /cancel.`, toast: 'Not accepted' };
    }
    const page = await this.page(userId, botId, Math.floor(idx / SETTINGS_PAGE_SIZE), false);
    return { text: `${formatSettingChanged(field.name, value)}\n\n${page.text}`, keyboard: page.keyboard, edit: true, toast: 'Saved' };
  }
}
