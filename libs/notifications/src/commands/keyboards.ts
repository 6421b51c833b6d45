/**
 * Every inline keyboard of the bot, built here only (plain Bot API objects: pure, testable). The payloads come from
 * callback-data.ts.
 */
import { cb } from './callback-data';
import { NOTIFICATION_MODE_ICON, botTitle, type BotLine } from './format';
import { fieldChoices, type SettingField } from './setting-fields';

export interface InlineButton {
  readonly text: string;
  readonly callback_data: string;
}
export interface InlineKeyboard {
  readonly inline_keyboard: ReadonlyArray<ReadonlyArray<InlineButton>>;
}

/** Settings shown per page of the settings menu. */
export const SETTINGS_PAGE_SIZE = 12;
/** Symbols offered by /trade (the original's three perpetuals, and their spot pairs). */
export const TRADE_SYMBOLS = ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT', 'BTC/USDT', 'ETH/USDT', 'SOL/USDT'] as const;
/** Timeframes offered by /trade (the original's 1m..4H). */
export const TRADE_TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h'] as const;

const btn = (text: string, callback_data: string): InlineButton => ({ text, callback_data });
const rows = (buttons: InlineButton[], perRow: number): InlineButton[][] => {
  const out: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) out.push(buttons.slice(i, i + perRow));
  return out;
};
const cancelRow = (): InlineButton[] => [btn('✖ Cancel', cb.cancel())];
const kb = (inline_keyboard: InlineButton[][]): InlineKeyboard => ({ inline_keyboard });

export const keyboards = {
  statusRefresh: (): InlineKeyboard => kb([[btn('🔄 Refresh', cb.statusRefresh())]]),

  tradeAccounts: (accounts: ReadonlyArray<{ id: string; label: string; exchange: string }>): InlineKeyboard =>
    kb([...accounts.map((a) => [btn(`${a.label} (${a.exchange})`, cb.tradeAccount(a.id))]), cancelRow()]),

  tradeStrategies: (): InlineKeyboard => kb([[btn('HYPERRSI', cb.tradeStrategy('hyperrsi')), btn('GRID', cb.tradeStrategy('grid'))], cancelRow()]),

  tradeSymbols: (symbols: readonly string[] = TRADE_SYMBOLS): InlineKeyboard => kb([...rows(symbols.map((s) => btn(s, cb.tradeSymbol(s))), 3), cancelRow()]),

  tradeTimeframes: (): InlineKeyboard => kb([...rows(TRADE_TIMEFRAMES.map((t) => btn(t, cb.tradeTimeframe(t))), 3), cancelRow()]),

  tradePresets: (presets: ReadonlyArray<{ id: string; name: string; isDefault: boolean }>): InlineKeyboard =>
    kb([[btn('Strategy defaults', cb.tradePreset(null))], ...presets.map((p) => [btn(`${p.isDefault ? '⭐ ' : ''}${p.name}`, cb.tradePreset(p.id))]), cancelRow()]),

  tradeFeeds: (): InlineKeyboard => kb([[btn('Live candles', cb.tradeFeed('live')), btn('Replay stored candles', cb.tradeFeed('replay'))], cancelRow()]),

  tradeConfirm: (): InlineKeyboard => kb([[btn('✅ Start the bot', cb.tradeConfirm())], cancelRow()]),

  /** A bot list where each button runs `action` on that bot. */
  pickBot: (bots: ReadonlyArray<Pick<BotLine, 'id' | 'strategy' | 'symbol' | 'timeframe' | 'status'>>, action: (botId: string) => string): InlineKeyboard =>
    kb([...bots.map((b) => [btn(botTitle(b), action(b.id))]), cancelRow()]),

  /** /settings: the notification modes, then one button per bot. */
  settingsPickBot: (bots: ReadonlyArray<Pick<BotLine, 'id' | 'strategy' | 'symbol' | 'timeframe' | 'status'>>): InlineKeyboard =>
    kb([[btn('🔔 Notifications', cb.prefsMenu())], ...bots.map((b) => [btn(botTitle(b), cb.settingsBot(b.id, 0))]), cancelRow()]),

  stopConfirm: (botId: string): InlineKeyboard =>
    kb([[btn('⏹ Stop, keep the position', cb.stopConfirm(botId, false))], [btn('⏹ Stop and close the position', cb.stopConfirm(botId, true))], cancelRow()]),

  settings: (botId: string, fields: readonly SettingField[], page: number): InlineKeyboard => {
    const pages = Math.max(1, Math.ceil(fields.length / SETTINGS_PAGE_SIZE));
    const start = page * SETTINGS_PAGE_SIZE;
    const keys = fields.slice(start, start + SETTINGS_PAGE_SIZE).map((f, i) => btn(f.name, cb.settingsKey(botId, start + i)));
    const nav: InlineButton[] = [];
    if (page > 0) nav.push(btn('◀ Previous', cb.settingsBot(botId, page - 1)));
    if (page + 1 < pages) nav.push(btn('Next ▶', cb.settingsBot(botId, page + 1)));
    return kb([...rows(keys, 2), ...(nav.length ? [nav] : []), [btn('🔔 Notifications', cb.prefsMenu())], cancelRow()]);
  },

  /** The values a boolean or enum setting can take, one button each. */
  settingChoices: (botId: string, idx: number, field: SettingField): InlineKeyboard => {
    const choices = fieldChoices(field) ?? [];
    return kb([...rows(choices.map((c, i) => btn(c === null ? 'none' : String(c), cb.settingsValue(botId, idx, i))), 3), [btn('◀ Back', cb.settingsBot(botId, Math.floor(idx / SETTINGS_PAGE_SIZE)))], cancelRow()]);
  },

  prefs: (events: readonly string[], prefs: Readonly<Record<string, string>>): InlineKeyboard =>
    kb([...events.map((e, i) => [btn(`${NOTIFICATION_MODE_ICON[prefs[e]] ?? ''} ${e}: ${prefs[e]}`, cb.prefsCycle(i))]), [btn('✔ Done', cb.cancel())]]),
};
