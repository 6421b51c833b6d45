import { Injectable } from '@nestjs/common';
import type { Answer } from './answer';
import { ConversationStore, type TradeDraft, type TradeStep } from './conversation.store';
import { botTitle } from './format';
import { TRADE_SYMBOLS, TRADE_TIMEFRAMES, keyboards } from './keyboards';
import { TelegramTraderService } from './telegram-trader.service';

/** The button letter of each /trade step (callback-data.ts `tr:<letter>:<value>`). */
const STEP_OF_LETTER: Record<string, TradeStep> = { a: 'account', s: 'strategy', y: 'symbol', t: 'timeframe', p: 'preset', f: 'feed' };

const EXPIRED: Answer = { text: 'That button belongs to an earlier /trade step or a finished flow. Start again with /trade.', toast: 'Expired' };

/**
 * /trade: account → strategy → symbol → timeframe → preset (HYPERRSI) or defaults → feed (paper accounts: live or a
 * replay of stored candles) → confirm → the bot starts. Each step is kept in the chat's conversation (Redis), so a
 * restart between two presses loses nothing; a press that does not match the current step is refused.
 */
@Injectable()
export class TradeFlow {
  constructor(
    private readonly conv: ConversationStore,
    private readonly trader: TelegramTraderService,
  ) {}

  async begin(chatId: string, userId: string): Promise<Answer> {
    const accounts = await this.trader.accountList(userId);
    if (!accounts.length) return { text: 'You have no exchange account yet. Add one (a paper account works) in the app, then /trade.' };
    await this.conv.set(chatId, { flow: 'trade', step: 'account', draft: {} });
    return { text: '🚀 New bot · 1/6: which account?', keyboard: keyboards.tradeAccounts(accounts) };
  }

  async press(chatId: string, userId: string, letter: string, value: string): Promise<Answer> {
    const c = await this.conv.get(chatId);
    if (!c || c.flow !== 'trade' || c.step !== STEP_OF_LETTER[letter]) return { ...EXPIRED, edit: true };
    let d: TradeDraft = c.draft;
    switch (c.step) {
      case 'account': {
        const a = await this.trader.account(userId, value); // another user's account: 404
        d = { ...d, accountId: a.id, accountLabel: a.label, paper: a.exchange === 'paper' };
        return this.next(chatId, 'strategy', d, '2/6: which strategy?', keyboards.tradeStrategies());
      }
      case 'strategy':
        if (value !== 'hyperrsi' && value !== 'grid') return { ...EXPIRED, edit: true };
        d = { ...d, strategy: value };
        return this.next(chatId, 'symbol', d, '3/6: which symbol?', keyboards.tradeSymbols());
      case 'symbol':
        if (!(TRADE_SYMBOLS as readonly string[]).includes(value)) return { ...EXPIRED, edit: true };
        d = { ...d, symbol: value };
        return this.next(chatId, 'timeframe', d, '4/6: which timeframe?', keyboards.tradeTimeframes());
      case 'timeframe': {
        if (!(TRADE_TIMEFRAMES as readonly string[]).includes(value)) return { ...EXPIRED, edit: true };
        d = { ...d, timeframe: value };
        const presets = d.strategy === 'hyperrsi' ? await this.trader.presetList(userId) : [];
        if (presets.length) return this.next(chatId, 'preset', d, '5/6: settings from a preset, or the strategy defaults?', keyboards.tradePresets(presets));
        return this.afterPreset(chatId, { ...d, presetId: null });
      }
      case 'preset': {
        const presetId = value === '-' ? null : value;
        const presetName = presetId ? await this.trader.presetName(userId, presetId) : undefined; // another user's preset: 404
        return this.afterPreset(chatId, { ...d, presetId, presetName });
      }
      case 'feed':
        d = { ...d, feed: value === 'r' ? 'replay' : 'live' };
        return this.confirm(chatId, d);
      case 'confirm':
        return { ...EXPIRED, edit: true };
    }
  }

  /** The confirm button: create and start the bot through the bots service (its refusals come back in words). */
  async confirmPressed(chatId: string, userId: string): Promise<Answer> {
    const c = await this.conv.get(chatId);
    if (!c || c.flow !== 'trade' || c.step !== 'confirm') return { ...EXPIRED, edit: true };
    await this.conv.clear(chatId);
    const bot = await this.trader.startBot(userId, c.draft);
    return { text: `✅ Bot started\n${botTitle(bot)}\nFollow it with /status; change it with /settings; stop it with /stop.`, edit: true, toast: 'Started' };
  }

  private afterPreset(chatId: string, d: TradeDraft): Promise<Answer> {
    if (d.paper) return this.next(chatId, 'feed', d, '6/6: paper account · trade on live candles, or replay the stored ones (one candle per second)?', keyboards.tradeFeeds());
    return this.confirm(chatId, { ...d, feed: 'live' });
  }

  private async confirm(chatId: string, d: TradeDraft): Promise<Answer> {
    await this.conv.set(chatId, { flow: 'trade', step: 'confirm', draft: d });
    const settings = d.presetId ? `preset ${d.presetName ?? d.presetId}` : 'strategy defaults';
    const text = ['Start this bot?', `Account: ${d.accountLabel}`, `Strategy: ${d.strategy}`, `Symbol: ${d.symbol} · ${d.timeframe}`, `Settings: ${settings}`, `Feed: ${d.feed === 'replay' ? 'replay of stored candles' : 'live'}`].join('\n');
    return { text, keyboard: keyboards.tradeConfirm(), edit: true };
  }

  private async next(chatId: string, step: TradeStep, d: TradeDraft, question: string, keyboard: Answer['keyboard']): Promise<Answer> {
    await this.conv.set(chatId, { flow: 'trade', step, draft: d });
    return { text: `🚀 New bot · ${question}`, keyboard, edit: true };
  }
}
