import { describe, expect, it } from 'vitest';
import { NOTIFIED_EVENTS } from '../prefs/notification-prefs.service';
import { CALLBACK_DATA_MAX_BYTES, CB } from './callback-data';
import { cb } from './callback-data';
import { SETTINGS_PAGE_SIZE, TRADE_SYMBOLS, keyboards, type InlineKeyboard } from './keyboards';
import { settingFields } from './setting-fields';

// the longest ids the bot ever puts in a button: uuids (bots, accounts, presets)
const UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const bots = [{ id: UUID, strategy: 'hyperrsi', symbol: 'SOL/USDT:USDT', timeframe: '15m', status: 'running' }];

/** Every keyboard the bot can build, with the largest values each takes. */
function everyKeyboard(): Array<[string, InlineKeyboard]> {
  const out: Array<[string, InlineKeyboard]> = [
    ['status', keyboards.statusRefresh()],
    ['accounts', keyboards.tradeAccounts([{ id: UUID, label: 'a'.repeat(60), exchange: 'binanceusdm' }])],
    ['strategies', keyboards.tradeStrategies()],
    ['symbols', keyboards.tradeSymbols()],
    ['timeframes', keyboards.tradeTimeframes()],
    ['presets', keyboards.tradePresets([{ id: UUID, name: 'p'.repeat(60), isDefault: true }])],
    ['feeds', keyboards.tradeFeeds()],
    ['confirm', keyboards.tradeConfirm()],
    ['stop pick', keyboards.pickBot(bots, cb.stopPick)],
    ['pause pick', keyboards.pickBot(bots, cb.pause)],
    ['resume pick', keyboards.pickBot(bots, cb.resume)],
    ['backtest pick', keyboards.pickBot(bots, cb.backtest)],
    ['settings pick', keyboards.settingsPickBot(bots)],
    ['stop confirm', keyboards.stopConfirm(UUID)],
    ['prefs', keyboards.prefs(NOTIFIED_EVENTS, Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, 'silent'])))],
  ];
  for (const strategy of ['hyperrsi', 'grid'] as const) {
    const fields = settingFields(strategy);
    for (let page = 0; page * SETTINGS_PAGE_SIZE < fields.length; page++) out.push([`${strategy} settings p${page}`, keyboards.settings(UUID, fields, page)]);
    fields.forEach((f, i) => {
      if (f.type === 'boolean' || f.type === 'enum') out.push([`${strategy} ${f.name}`, keyboards.settingChoices(UUID, i, f)]);
    });
  }
  return out;
}

describe('keyboards', () => {
  const all = everyKeyboard();
  const buttons = all.flatMap(([name, k]) => k.inline_keyboard.flat().map((b) => ({ name, ...b })));

  it('every callback_data is 1-64 bytes (Telegram refuses longer)', () => {
    expect(buttons.length).toBeGreaterThan(150); // hyperrsi alone has ~60 settings: the loop really covered them
    for (const b of buttons) {
      const bytes = Buffer.byteLength(b.callback_data, 'utf8');
      expect({ name: b.name, data: b.callback_data, ok: bytes >= 1 && bytes <= CALLBACK_DATA_MAX_BYTES }).toEqual({ name: b.name, data: b.callback_data, ok: true });
    }
  });

  it('every callback_data is matched by exactly one handler pattern', () => {
    const patterns = Object.values(CB);
    for (const b of buttons) expect({ data: b.callback_data, matches: patterns.filter((p) => p.test(b.callback_data)).length }).toEqual({ data: b.callback_data, matches: 1 });
  });

  it('the settings pages list every setting once, and a choice keyboard offers every value of its setting', () => {
    const fields = settingFields('grid');
    const keys = all.filter(([n]) => n.startsWith('grid settings')).flatMap(([, k]) => k.inline_keyboard.flat()).filter((b) => b.callback_data.startsWith('se:k:'));
    expect(keys.map((b) => b.text)).toEqual(fields.map((f) => f.name));
    const direction = fields.findIndex((f) => f.name === 'direction');
    const choice = keyboards.settingChoices(UUID, direction, fields[direction]).inline_keyboard.flat().filter((b) => b.callback_data.startsWith('se:v:'));
    expect(choice.map((b) => b.text)).toEqual([...fields[direction].enum!]);
  });

  it('the trade symbols keyboard has one button per symbol, its payload carrying the symbol', () => {
    const data = keyboards.tradeSymbols().inline_keyboard.flat().map((b) => b.callback_data).filter((d) => d.startsWith('tr:y:'));
    expect(data).toEqual(TRADE_SYMBOLS.map((s) => `tr:y:${s}`));
  });
});
