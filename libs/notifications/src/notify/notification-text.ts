import type { DomainEvent } from '@tb/events';

const s = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));

/** The message text of a notified event (plain text; never longer than a few hundred characters). */
export function notificationText(e: DomainEvent): string {
  const p = e.payload as Record<string, unknown>;
  const bot = p.botId ? ` · bot ${String(p.botId).slice(0, 8)}` : '';
  switch (e.type) {
    case 'order.filled':
      return `✅ Filled ${s(p.side)} ${s(p.filled)} ${s(p.symbol)} @ ${s(p.averagePrice)}${bot}`;
    case 'position.opened':
      return `📈 Opened ${s(p.side)} ${s(p.amount ?? p.size)} ${s(p.symbol)} @ ${s(p.entryPrice ?? p.price)}${bot}`;
    case 'position.closed':
      return `📉 Closed ${s(p.side)} ${s(p.symbol)} · PnL ${s(p.realizedPnl ?? p.pnl)}${bot}`;
    case 'bot.started':
      return `▶️ Bot started${bot}${p.symbol ? ` · ${s(p.symbol)}` : ''}`;
    case 'bot.stopped':
      return `⏹ Bot stopped${bot}${p.reason ? ` · ${s(p.reason)}` : ''}`;
    case 'bot.paused':
      return `⏸ Bot paused${bot}`;
    case 'bot.error':
      return `⚠️ Bot error${bot}: ${s(p.message ?? p.error)}`.slice(0, 1000);
    case 'order.canceled':
      return `Canceled ${s(p.side)} ${s(p.symbol)}${bot}`;
    case 'user.disabled':
      return '⛔ Your account was disabled; its bots are being stopped';
  }
}
