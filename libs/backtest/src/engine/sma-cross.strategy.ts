import {
  StrategySettingsError,
  floorAmount,
  roundPrice,
  type Candle,
  type Fill,
  type Intent,
  type MarketSpec,
  type OrderClosedEvent,
  type SettingsIssue,
  type Strategy,
  type StrategyInit,
} from '@tb/strategies';

/**
 * A small reference strategy (moving-average cross with a take-profit and a stop-loss) that exercises every
 * order type of the matching engine. It is what `tb backtest --strategy sma_cross` runs, what the bench falls
 * back to, and what the ledger/lookahead tests drive over real candles. Not a trading recommendation.
 */
export interface SmaCrossSettings {
  readonly fast: number;
  readonly slow: number;
  /** take-profit distance from the average entry, % */
  readonly tp_pct: number;
  /** stop-loss distance from the average entry, % */
  readonly sl_pct: number;
  /** share of the quote balance per entry, % (of `investment`) */
  readonly investment: number;
  readonly leverage: number;
  /** allow shorts (perp only) */
  readonly shorts: boolean;
}

export interface SmaCrossState {
  botId: string;
  settings: SmaCrossSettings;
  closes: number[]; // ring buffer of the last `slow` closes
  pos: number;
  fastSum: number;
  slowSum: number;
  count: number;
  prevDiff: number | null;
  side: 'long' | 'short' | null;
  qty: number;
  avg: number;
  pending: boolean;
}

const DEFAULTS: SmaCrossSettings = { fast: 10, slow: 30, tp_pct: 2, sl_pct: 1, investment: 1000, leverage: 1, shorts: true };

function parse(input: unknown): SmaCrossSettings {
  const raw = (input ?? {}) as Record<string, unknown>;
  const s: Record<string, unknown> = { ...DEFAULTS, ...raw };
  const issues: SettingsIssue[] = [];
  for (const k of ['fast', 'slow'] as const) if (!Number.isInteger(s[k]) || (s[k] as number) < 1) issues.push({ field: k, message: 'must be an integer >= 1' });
  for (const k of ['tp_pct', 'sl_pct', 'investment', 'leverage'] as const)
    if (typeof s[k] !== 'number' || !((s[k] as number) > 0)) issues.push({ field: k, message: 'must be a number > 0' });
  if (typeof s.shorts !== 'boolean') issues.push({ field: 'shorts', message: 'must be a boolean' });
  if (!issues.length && (s.fast as number) >= (s.slow as number)) issues.push({ field: 'fast', message: 'must be < slow' });
  for (const k of Object.keys(raw)) if (!(k in DEFAULTS)) issues.push({ field: k, message: 'unknown setting' });
  if (issues.length) throw new StrategySettingsError(issues);
  return s as unknown as SmaCrossSettings;
}

export const smaCrossStrategy: Strategy<SmaCrossSettings, SmaCrossState> = {
  name: 'sma_cross',
  parseSettings: parse,
  init(init: StrategyInit<SmaCrossSettings>): SmaCrossState {
    return {
      botId: init.botId,
      settings: init.settings,
      closes: new Array<number>(init.settings.slow).fill(0),
      pos: 0,
      fastSum: 0,
      slowSum: 0,
      count: 0,
      prevDiff: null,
      side: null,
      qty: 0,
      avg: 0,
      pending: false,
    };
  },
  decide(st: SmaCrossState, c: Candle, market: MarketSpec) {
    const { fast, slow } = st.settings;
    const buf = st.closes;
    // fast window drops the close `fast` candles ago, slow window the one `slow` candles ago
    const dropFast = st.count >= fast ? buf[(st.pos - fast + slow) % slow] : 0;
    const dropSlow = st.count >= slow ? buf[st.pos] : 0;
    st.fastSum += c.close - dropFast;
    st.slowSum += c.close - dropSlow;
    buf[st.pos] = c.close;
    st.pos = (st.pos + 1) % slow;
    st.count++;
    if (st.count < slow) return { state: st, intents: [] };
    const diff = st.fastSum / fast - st.slowSum / slow;
    const prev = st.prevDiff;
    st.prevDiff = diff;
    if (prev === null || st.pending) return { state: st, intents: [] };
    const crossUp = prev <= 0 && diff > 0;
    const crossDown = prev >= 0 && diff < 0;
    const intents: Intent[] = [];
    const k = `${st.botId}:${c.time}`;
    if (st.side === 'long' && crossDown) intents.push(close(k, 'long', st.qty));
    if (st.side === 'short' && crossUp) intents.push(close(k, 'short', st.qty));
    const canShort = st.settings.shorts && market.type === 'perp';
    if (st.side === null && (crossUp || (crossDown && canShort))) {
      const lev = market.type === 'perp' ? st.settings.leverage : 1;
      const amount = floorAmount(market, (st.settings.investment * lev) / c.close);
      if (amount >= market.minAmount && amount * c.close >= market.minNotional) {
        const side = crossUp ? 'long' : 'short';
        intents.push({ action: 'place', key: `${k}:entry:0`, type: 'market', side: side === 'long' ? 'buy' : 'sell', positionSide: side, amount, reduceOnly: false, tag: 'entry' });
        st.pending = true;
      }
    }
    return { state: st, intents };
  },
  onFill(st: SmaCrossState, f: Fill) {
    const intents: Intent[] = [];
    if (f.tag === 'entry') {
      st.pending = false;
      st.side = f.positionSide;
      st.qty = f.amount;
      st.avg = f.price;
      const m = f.positionSide === 'long' ? 1 : -1;
      const spec = { tickSize: 0.01 };
      const exit = f.positionSide === 'long' ? 'sell' : 'buy';
      intents.push(
        { action: 'place', key: `${f.key}>tp:0`, type: 'limit', side: exit, positionSide: f.positionSide, amount: f.amount, price: roundPrice(spec, f.price * (1 + (m * st.settings.tp_pct) / 100)), reduceOnly: true, tag: 'tp1' },
        { action: 'place', key: `${f.key}>sl:0`, type: 'stop_market', side: exit, positionSide: f.positionSide, amount: f.amount, triggerPrice: roundPrice(spec, f.price * (1 - (m * st.settings.sl_pct) / 100)), reduceOnly: true, tag: 'sl' },
      );
    } else if (f.positionSide === st.side) {
      st.qty = Math.max(0, st.qty - f.amount);
      if (st.qty <= 1e-12) {
        st.side = null;
        st.qty = 0;
      }
    }
    return { state: st, intents };
  },
  onOrderClosed(st: SmaCrossState, e: OrderClosedEvent) {
    if (e.status === 'rejected' && e.key.endsWith(':entry:0')) st.pending = false;
    return { state: st, intents: [] };
  },
};

function close(k: string, side: 'long' | 'short', qty: number): Intent {
  return { action: 'place', key: `${k}:close:0`, type: 'market', side: side === 'long' ? 'sell' : 'buy', positionSide: side, amount: qty, reduceOnly: true, tag: 'trend_close' };
}
