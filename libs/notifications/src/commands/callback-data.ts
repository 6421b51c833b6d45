/**
 * Every inline button's callback_data, built and read here only. Telegram allows 1-64 bytes: each payload is a short
 * prefix and ids (bot, account and preset ids are 36-character uuids, settings are indexes into the strategy's
 * settings list), so the longest, `se:v:<uuid>:<idx>:<idx>`, is 47 bytes (asserted over every keyboard in
 * keyboards.spec.ts).
 */
export const CALLBACK_DATA_MAX_BYTES = 64;

export const cb = {
  cancel: () => 'x',
  statusRefresh: () => 'st:r',
  tradeAccount: (accountId: string) => `tr:a:${accountId}`,
  tradeStrategy: (strategy: string) => `tr:s:${strategy}`,
  tradeSymbol: (symbol: string) => `tr:y:${symbol}`,
  tradeTimeframe: (tf: string) => `tr:t:${tf}`,
  tradePreset: (presetId: string | null) => `tr:p:${presetId ?? '-'}`,
  tradeFeed: (feed: 'live' | 'replay') => `tr:f:${feed === 'live' ? 'l' : 'r'}`,
  tradeConfirm: () => 'tr:ok',
  stopPick: (botId: string) => `sp:b:${botId}`,
  stopConfirm: (botId: string, closePosition: boolean) => `sp:y:${botId}:${closePosition ? 1 : 0}`,
  pause: (botId: string) => `pa:${botId}`,
  resume: (botId: string) => `re:${botId}`,
  settingsBot: (botId: string, page = 0) => `se:p:${botId}:${page}`,
  settingsKey: (botId: string, idx: number) => `se:k:${botId}:${idx}`,
  settingsValue: (botId: string, idx: number, valueIdx: number) => `se:v:${botId}:${idx}:${valueIdx}`,
  prefsMenu: () => 'np:m',
  prefsCycle: (eventIdx: number) => `np:c:${eventIdx}`,
  backtest: (botId: string) => `bt:${botId}`,
} as const;

/** Matches of the handlers (`@Action(...)`), one per payload family above. */
export const CB = {
  cancel: /^x$/,
  statusRefresh: /^st:r$/,
  trade: /^tr:([asytpf]):(.+)$/,
  tradeConfirm: /^tr:ok$/,
  stopPick: /^sp:b:([0-9a-f-]{36})$/,
  stopConfirm: /^sp:y:([0-9a-f-]{36}):([01])$/,
  pause: /^pa:([0-9a-f-]{36})$/,
  resume: /^re:([0-9a-f-]{36})$/,
  settingsBot: /^se:p:([0-9a-f-]{36}):(\d{1,3})$/,
  settingsKey: /^se:k:([0-9a-f-]{36}):(\d{1,3})$/,
  settingsValue: /^se:v:([0-9a-f-]{36}):(\d{1,3}):(\d{1,3})$/,
  prefsMenu: /^np:m$/,
  prefsCycle: /^np:c:(\d{1,2})$/,
  backtest: /^bt:([0-9a-f-]{36})$/,
} as const;
