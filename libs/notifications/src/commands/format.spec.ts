import { describe, expect, it } from 'vitest';
import { formatBots, formatDaily, formatError, formatProtection, formatStatus, num, pnl } from './format';
import { fieldHint, parseTypedValue, settingFields } from './setting-fields';

const bot = {
  id: '0123abcd-0000-4000-8000-000000000000',
  strategy: 'hyperrsi',
  symbol: 'BTC/USDT:USDT',
  timeframe: '1h',
  status: 'running',
  realizedPnl: 12.345,
  closedTrades: 3,
  unrealizedPnl: -4.5,
  position: { long: { qty: 0.002, avg: 41500.25 }, short: { qty: 0, avg: 0 } },
  lastPrice: 39250,
};

describe('format', () => {
  it('numbers without float noise; PnL with its sign', () => {
    expect(num(0.1 + 0.2)).toBe('0.3');
    expect(num(41500)).toBe('41500');
    expect(num(-0.0000000001)).toBe('0');
    expect(pnl(12.345)).toBe('+12.35'); // toFixed(2) rounds half up here: 12.345 is stored as 12.3450000000000006
    expect(pnl(-3.1)).toBe('-3.1');
    expect(pnl(0.001)).toBe('0');
  });

  it('/status: every bot with status, position and PnL, stamped with the time', () => {
    expect(formatStatus([bot, { ...bot, id: 'ffff0000-0000-4000-8000-000000000000', status: 'stopped', statusReason: 'stopped by the trader', position: undefined, unrealizedPnl: null, lastPrice: null, realizedPnl: 0 }], new Date('2026-12-04T22:05:09Z'))).toBe(
      [
        '📊 Status · 22:05:09 UTC',
        '',
        '🟢 BTC/USDT:USDT 1h · hyperrsi · running · 0123abcd',
        '  position: long 0.002 @ 41500.25',
        '  PnL: realized +12.35 · unrealized -4.5 · last 39250',
        '',
        '⏹ BTC/USDT:USDT 1h · hyperrsi · stopped · ffff0000',
        '  position: flat',
        '  PnL: realized 0',
        '  stopped by the trader',
      ].join('\n'),
    );
    expect(formatStatus([], new Date('2026-12-04T00:00:00Z'))).toBe('📊 Status · 00:00:00 UTC\nNo bots yet. Start one with /trade.');
  });

  it('/bots: one line per bot', () => {
    expect(formatBots([bot])).toBe('🤖 Your bots\n🟢 BTC/USDT:USDT 1h · hyperrsi · running · 0123abcd · PnL +12.35 · 3 trades');
  });

  it('/daily: newest day first, with the total of the days shown', () => {
    const rows = [
      { period: '2026-12-02', realizedPnl: '10', netPnl: '9.5', trades: 2 },
      { period: '2026-12-03', realizedPnl: '-4', netPnl: '-4.25', trades: 1 },
    ];
    // total net = 9.5 - 4.25 = 5.25
    expect(formatDaily(rows, 7)).toBe(['📅 PnL per day (last 7 days with fills)', '2026-12-03: realized -4 · net -4.25 · 1 trades', '2026-12-02: realized +10 · net +9.5 · 2 trades', 'Total net: +5.25'].join('\n'));
  });

  it('a refusal in plain words: each bad field with why, without the settings. prefix', () => {
    expect(formatError('invalid strategy settings: leverage: must be <= 125', [{ field: 'settings.leverage', messages: ['must be >= 1 and <= 125'] }])).toBe('❌ Not accepted:\n• leverage must be >= 1 and <= 125');
    expect(formatError('bot is already stopped', { status: 'stopped' })).toBe('❌ Bot is already stopped');
  });

  it('/sl show lists the stop orders only, /tp show the take-profits', () => {
    const orders = [
      { tag: 'manual_sl', side: 'sell', positionSide: 'long', price: '40000', amount: '0.002' },
      { tag: 'tp1', side: 'sell', positionSide: 'long', price: '43000.5', amount: '0.001' },
    ];
    expect(formatProtection('sl', bot, orders)).toBe('Stop-loss · 🟢 BTC/USDT:USDT 1h · hyperrsi · running · 0123abcd\n  long manual_sl: sell 0.002 @ 40000');
    expect(formatProtection('tp', bot, orders)).toBe('Take-profit · 🟢 BTC/USDT:USDT 1h · hyperrsi · running · 0123abcd\n  long tp1: sell 0.001 @ 43000.5');
    expect(formatProtection('sl', bot, [])).toBe('Stop-loss: none resting · 🟢 BTC/USDT:USDT 1h · hyperrsi · running · 0123abcd');
  });

  it('typed values: numbers, none for nullable, JSON lists; what cannot be read is passed on for the strategy to refuse', () => {
    const grid = settingFields('grid');
    const f = (name: string) => grid.find((x) => x.name === name)!;
    expect(parseTypedValue(f('leverage'), ' 20 ')).toBe(20);
    expect(parseTypedValue(f('leverage'), 'twenty')).toBe('twenty');
    expect(parseTypedValue(f('stopLossPct'), 'none')).toBeNull();
    expect(parseTypedValue(f('amountList'), '[10, 20]')).toEqual([10, 20]);
    expect(fieldHint(f('leverage'))).toBe('a whole number ≥ 1 and ≤ 125');
    expect(fieldHint(f('stopLossPct'))).toBe('a number ≥ 0.1 and ≤ 50, or "none"');
  });
});
