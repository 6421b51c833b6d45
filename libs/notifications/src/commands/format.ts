/**
 * The texts of the command answers: pure functions of plain views (no I/O, no clock: the caller passes the time),
 * plain text (no parse_mode, so nothing a trader or a symbol contains can break an entity). Long lists are split into
 * messages by splitMessage.
 */
import type { SettingField } from './setting-fields';

export type Side = 'long' | 'short';
export interface Leg {
  readonly qty: number;
  readonly avg: number;
}

export interface BotLine {
  readonly id: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly status: string;
  readonly statusReason?: string | null;
  readonly realizedPnl: number;
  readonly closedTrades?: number;
  readonly unrealizedPnl?: number | null;
  readonly position?: Readonly<Record<Side, Leg>>;
  readonly lastPrice?: number | null;
}

/** A number without float noise: at most `dp` decimals, trailing zeros dropped ("0.1", "41500", "-3.25"). */
export function num(n: number, dp = 8): string {
  if (!Number.isFinite(n)) return String(n);
  const s = n.toFixed(dp);
  const t = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return t === '-0' ? '0' : t;
}

/** A money amount with its sign: "+12.34", "-0.5", "0". */
export function pnl(n: number): string {
  const s = num(n, 2);
  return n > 0 && s !== '0' ? `+${s}` : s;
}

export const shortId = (id: string): string => id.slice(0, 8);

const STATUS_ICON: Record<string, string> = { running: '🟢', paused: '⏸', stopped: '⏹', error: '⚠️', starting: '⏳', stopping: '⏳' };

export function botTitle(b: Pick<BotLine, 'id' | 'strategy' | 'symbol' | 'timeframe' | 'status'>): string {
  return `${STATUS_ICON[b.status] ?? '•'} ${b.symbol} ${b.timeframe} · ${b.strategy} · ${b.status} · ${shortId(b.id)}`;
}

function positionText(p: Readonly<Record<Side, Leg>> | undefined): string {
  if (!p) return 'flat';
  const legs = (['long', 'short'] as const).filter((s) => p[s].qty > 0).map((s) => `${s} ${num(p[s].qty)} @ ${num(p[s].avg, 4)}`);
  return legs.length ? legs.join(', ') : 'flat';
}

/** /status: every bot with its status, position and PnL; the time tells a refreshed message from the last one. */
export function formatStatus(bots: readonly BotLine[], at: Date): string {
  const head = `📊 Status · ${at.toISOString().slice(11, 19)} UTC`;
  if (!bots.length) return `${head}\nNo bots yet. Start one with /trade.`;
  const blocks = bots.map((b) => {
    const lines = [botTitle(b), `  position: ${positionText(b.position)}`];
    const u = b.unrealizedPnl === null || b.unrealizedPnl === undefined ? '' : ` · unrealized ${pnl(b.unrealizedPnl)}`;
    lines.push(`  PnL: realized ${pnl(b.realizedPnl)}${u}${b.lastPrice ? ` · last ${num(b.lastPrice, 4)}` : ''}`);
    if (b.statusReason && b.status !== 'running') lines.push(`  ${b.statusReason}`);
    return lines.join('\n');
  });
  return [head, ...blocks].join('\n\n');
}

/** /bots: one line per bot. */
export function formatBots(bots: readonly BotLine[]): string {
  if (!bots.length) return 'No bots yet. Start one with /trade.';
  return ['🤖 Your bots', ...bots.map((b) => `${botTitle(b)} · PnL ${pnl(b.realizedPnl)}${b.closedTrades !== undefined ? ` · ${b.closedTrades} trades` : ''}`)].join('\n');
}

export interface BalanceView {
  readonly label: string;
  readonly exchange: string;
  readonly assets?: ReadonlyArray<{ currency: string; free: number; used: number; total: number }>;
  readonly error?: string;
}

export function formatBalance(accounts: readonly BalanceView[]): string {
  if (!accounts.length) return 'No exchange accounts. Add one in the app first.';
  const blocks = accounts.map((a) => {
    const head = `💰 ${a.label} (${a.exchange})`;
    if (a.error) return `${head}\n  unavailable: ${a.error}`;
    const assets = (a.assets ?? []).filter((x) => x.total !== 0);
    if (!assets.length) return `${head}\n  empty`;
    return [head, ...assets.map((x) => `  ${x.currency}: ${num(x.total)} (free ${num(x.free)}, in use ${num(x.used)})`)].join('\n');
  });
  return blocks.join('\n\n');
}

export interface PositionView {
  readonly symbol: string;
  readonly side: Side;
  readonly size: string;
  readonly averageEntry: string | null;
  readonly realizedPnl: string;
  readonly leverage: string;
  readonly account: string;
}

export function formatPositions(rows: readonly PositionView[]): string {
  if (!rows.length) return 'No open positions.';
  return ['📈 Open positions', ...rows.map((p) => `${p.symbol} ${p.side} ${num(Number(p.size))} @ ${p.averageEntry === null ? '—' : num(Number(p.averageEntry), 4)} · ${num(Number(p.leverage))}x · realized ${pnl(Number(p.realizedPnl))} · ${p.account}`)].join('\n');
}

export interface TradeView {
  readonly botId: string;
  readonly symbol: string;
  readonly side: string;
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly qty: number;
  readonly pnl: number;
  readonly reason: string;
}

const day = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

export function formatHistory(trades: readonly TradeView[]): string {
  if (!trades.length) return 'No closed trades yet.';
  return ['🧾 Recent trades (newest first)', ...trades.map((t) => `${day(t.exitTime)} ${t.symbol} ${t.side} ${num(t.qty)} ${num(t.entryPrice, 4)} → ${num(t.exitPrice, 4)} · ${pnl(t.pnl)} · ${t.reason} · ${shortId(t.botId)}`)].join('\n');
}

export interface ProfitView {
  readonly realizedPnl: string;
  readonly fees: string;
  readonly funding: string;
  readonly netPnl: string;
  readonly unrealizedPnl: string;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRatePct: string;
  readonly profitFactor: string | null;
}

export function formatProfit(t: ProfitView): string {
  return [
    '💵 Profit (all your bots and orders)',
    `Realized: ${pnl(Number(t.realizedPnl))} · fees ${num(Number(t.fees), 2)} · funding ${pnl(Number(t.funding))}`,
    `Net: ${pnl(Number(t.netPnl))} · unrealized ${pnl(Number(t.unrealizedPnl))}`,
    `Trades: ${t.trades} (${t.wins} won, ${t.losses} lost, win rate ${num(Number(t.winRatePct), 1)}%)${t.profitFactor !== null ? ` · profit factor ${num(Number(t.profitFactor), 2)}` : ''}`,
  ].join('\n');
}

export interface DayView {
  readonly period: string;
  readonly realizedPnl: string;
  readonly netPnl: string;
  readonly trades: number;
}

/** /daily [n]: realized PnL per UTC day that had fills, newest first, with the total of the days shown. */
export function formatDaily(rows: readonly DayView[], n: number): string {
  if (!rows.length) return 'No realized PnL yet.';
  const newest = [...rows].reverse();
  let total = 0;
  for (const r of rows) total += Number(r.netPnl);
  return [`📅 PnL per day (last ${n} days with fills)`, ...newest.map((r) => `${r.period}: realized ${pnl(Number(r.realizedPnl))} · net ${pnl(Number(r.netPnl))} · ${r.trades} trades`), `Total net: ${pnl(total)}`].join('\n');
}

export interface BacktestView {
  readonly strategy: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly from: number;
  readonly to: number;
  readonly candles: number;
  readonly initialBalance: number;
  readonly finalBalance: number;
  readonly totalReturnPct: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
  readonly winRatePct: number;
  readonly sharpe: number | null;
}

export function formatBacktest(b: BacktestView): string {
  return [
    `🧪 Backtest · ${b.symbol} ${b.timeframe} · ${b.strategy}`,
    `${day(b.from)} → ${day(b.to)} UTC · ${b.candles} candles`,
    `Balance: ${num(b.initialBalance, 2)} → ${num(b.finalBalance, 2)} (${pnl(b.totalReturnPct)}%)`,
    `Max drawdown: ${num(b.maxDrawdownPct, 2)}% · trades ${b.trades} · win rate ${num(b.winRatePct, 1)}%${b.sharpe !== null ? ` · Sharpe ${num(b.sharpe, 2)}` : ''}`,
  ].join('\n');
}

const show = (v: unknown): string => (v === null || v === undefined ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The settings of a bot, one page (the keyboard of that page edits them). */
export function formatSettings(bot: Pick<BotLine, 'id' | 'strategy' | 'symbol' | 'timeframe' | 'status'>, fields: readonly SettingField[], values: Record<string, unknown>, page: number, pageSize: number): string {
  const pages = Math.max(1, Math.ceil(fields.length / pageSize));
  const shown = fields.slice(page * pageSize, (page + 1) * pageSize);
  return [`⚙️ Settings · ${botTitle(bot)}`, `Page ${page + 1}/${pages}: tap a setting to change it.`, ...shown.map((f) => `${f.name} = ${show(values[f.key])}`)].join('\n');
}

export function formatSettingChanged(name: string, value: unknown): string {
  return `✅ ${name} = ${show(value)}. The bot applies it from its next candle.`;
}

export const NOTIFICATION_MODE_ICON: Record<string, string> = { on: '🔔', silent: '🔕', off: '🚫' };

export function formatPrefs(prefs: Readonly<Record<string, string>>): string {
  return ['🔔 Notifications per event (tap to cycle on → silent → off)', ...Object.entries(prefs).map(([e, m]) => `${NOTIFICATION_MODE_ICON[m] ?? ''} ${e}: ${m}`)].join('\n');
}

export interface ProtectionOrderView {
  readonly tag: string;
  readonly side: string;
  readonly positionSide: string;
  readonly price: string | null;
  readonly amount: string;
}

/** /sl show, /tp show: the bot's resting stop-loss or take-profit orders. */
export function formatProtection(kind: 'sl' | 'tp', bot: Pick<BotLine, 'id' | 'strategy' | 'symbol' | 'timeframe' | 'status'>, orders: readonly ProtectionOrderView[]): string {
  const mine = orders.filter((o) => (kind === 'sl' ? /sl|stop/i.test(o.tag) : /tp|take/i.test(o.tag)));
  const name = kind === 'sl' ? 'Stop-loss' : 'Take-profit';
  if (!mine.length) return `${name}: none resting · ${botTitle(bot)}`;
  return [`${name} · ${botTitle(bot)}`, ...mine.map((o) => `  ${o.positionSide} ${o.tag}: ${o.side} ${num(Number(o.amount))} @ ${o.price === null ? 'market' : num(Number(o.price), 4)}`)].join('\n');
}

export function formatHelp(commands: ReadonlyArray<{ command: string; description: string }>): string {
  return ['TradingBoost bot commands:', ...commands.map((c) => `/${c.command} — ${c.description}`)].join('\n');
}

/** A refusal of the services in plain words: the message, and each detail as "field: why". */
export function formatError(message: string, details: unknown): string {
  const issues = Array.isArray(details) ? (details as Array<{ field?: string; messages?: string[]; message?: string }>) : [];
  const lines = issues
    .filter((d) => d && typeof d === 'object' && (d.messages?.length || d.message))
    .map((d) => `• ${String(d.field ?? '').replace(/^settings\./, '')} ${(d.messages ?? [d.message]).join('; ')}`.replace(/^• +/, '• '));
  if (lines.length) return ['❌ Not accepted:', ...lines].join('\n');
  return `❌ ${message.charAt(0).toUpperCase()}${message.slice(1)}`;
}
