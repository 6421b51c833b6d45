import type { Candle } from '../core/candle';
import type { CommandInput, StrategyCommandType } from '../core/commands';
import type {
  Fill,
  Intent,
  MarketSpec,
  OrderClosedEvent,
  OrderIntent,
  OrderSide,
  OrderType,
  PositionSide,
  Strategy,
  StrategyInit,
  StrategyResult,
} from '../core/contract';
import {
  cleanDecimals as cleanDecimalsImport,
  floorAmount as floorAmountImport,
  meetsMinimums as meetsMinimumsImport,
  roundPrice as roundPriceImport,
  stepDecimals,
} from '../core/precision';
import { timeframeMs, type Timeframe } from '../core/timeframe';
import { createAtrState, createRsiState, updateAtr as updateAtrImport, updateRsi as updateRsiImport } from '../indicators';
import { createTrendStateState, updateTrendState as updateTrendStateImport, type TrendStateState } from '../trend';
import {
  effectiveAtr as effectiveAtrImport,
  isLongSignal as isLongSignalImport,
  isShortSignal as isShortSignalImport,
  minSustainSize,
  nextDcaLevel as nextDcaLevelImport,
  stopLossPrice,
  takeProfitAmounts,
  takeProfitPrices,
  trailingOffset,
} from './hyperrsi.math';
import { canonicalHyperrsiKeys, investmentFor, parseHyperrsiSettings, type HyperrsiSettings } from './hyperrsi.settings';
import {
  MAX_ENTRY_FAILURES,
  type HyperrsiOrder,
  type HyperrsiOrderTag,
  type HyperrsiPosition,
  type HyperrsiState,
  type TrendValue,
} from './hyperrsi.state';

// Functions called on every candle, bound once at module load: the CommonJS output (swc/tsc) reaches an imported
// function through the exporting module's getter (two for a re-export) on every call (measured: the getters were
// ~2% of the decision pass).
const updateRsi = updateRsiImport;
const updateAtr = updateAtrImport;
const updateTrendState = updateTrendStateImport;
const floorAmount = floorAmountImport;
const cleanDecimals = cleanDecimalsImport;
const meetsMinimums = meetsMinimumsImport;
const roundPrice = roundPriceImport;
const effectiveAtr = effectiveAtrImport;
const isLongSignal = isLongSignalImport;
const isShortSignal = isShortSignalImport;
const nextDcaLevel = nextDcaLevelImport;

/*
 * HYPERRSI as a pure engine (docs/strategy-rules.md §2). See docs in index.ts for the mapping of the
 * original's Redis-driven loop onto decide/onFill/onOrderClosed.
 */

/** Where trend_state comes from. The default is the streaming trend module; tests may inject another. */
export interface HyperrsiTrendSource {
  /** Creates the (JSON) calculator state stored in HyperrsiState.trend. */
  create(timeframe: Timeframe, settings: HyperrsiSettings): unknown;
  /** Advances it by one closed chart candle; null while warming up. */
  update(state: unknown, candle: Candle): TrendValue | null;
}

export const defaultTrendSource: HyperrsiTrendSource = {
  create: (timeframe, settings) => createTrendStateState(timeframe, { trendTimeframe: settings.trend_timeframe }),
  update: (state, candle) => updateTrendState(state as TrendStateState, candle),
};

export interface HyperrsiStrategyDeps {
  readonly trend?: HyperrsiTrendSource;
}

/** Shared result array for "nothing to do" (frozen: callers must not push into it). */
const NO_INTENTS = Object.freeze([]) as unknown as Intent[];

const MAIN_PROTECTION: ReadonlySet<string> = new Set(['tp1', 'tp2', 'tp3', 'sl', 'manual_sl', 'break_even', 'trailing']);
const MAIN_TPS: ReadonlySet<string> = new Set(['tp1', 'tp2', 'tp3']);
const HEDGE_PROTECTION: ReadonlySet<string> = new Set(['hedge_tp', 'hedge_sl']);
const TP_TAGS = ['tp1', 'tp2', 'tp3'] as const;

/**
 * Tag of a market close by its reason, so a trade's exit reason reads as what happened
 * (docs/adr/0014-exit-reasons-and-grid-statistics.md): dust, trend_close, or hedge_close (the main closed because
 * its hedge took profit; the hedge closed because its main exited or reached its last DCA).
 */
function closeTag(reason: string): HyperrsiOrderTag {
  if (reason === 'manual') return 'close';
  if (reason === 'dust') return 'dust';
  if (reason === 'trend') return 'trend_close';
  return 'hedge_close';
}

const CLOSE_TAGS: ReadonlySet<string> = new Set(['close', 'trend_close', 'dust', 'hedge_close']);

// ------------------------------------------------------------------------------------------------------
// Intent emission. One module-level emitter: decide/onFill/onOrderClosed are synchronous and never nested —
// each begins (begin*) and ends (finish) within one call, so nothing of one call survives into the next and
// many bots in one process cannot see each other's intents (libs/backtest/src/engine/scenarios/many-bots-one-
// process.spec.ts interleaves two bots and compares with running them apart). The array is created only when something is emitted (the idle
// hot path allocates nothing but the result object).
// ------------------------------------------------------------------------------------------------------

let emOut: Intent[] | null = null;
let emCount = 0;
let emBase = '';
/** The decision's candle time, in a double field updated in place (a module `let` boxed it on every candle). */
const emClock = { time: 0 };
let emFromFill = false;
let emPrefix: string | null = null;

function beginDecision(botId: string, candleTime: number): void {
  emOut = null;
  emCount = 0;
  emBase = botId;
  emClock.time = candleTime;
  emFromFill = false;
  emPrefix = null;
}

/** A trader command: keys `${botId}:cmd:${commandId}>${kind}:${i}` (docs/adr/0018-trader-commands.md). */
function beginCommand(botId: string, commandId: string): void {
  beginCaused(`${botId}:cmd:${commandId}`);
}

function beginCaused(key: string): void {
  emOut = null;
  emCount = 0;
  emBase = key;
  emFromFill = true;
  emPrefix = null;
}

/** `${botId}:${candleTime}:${kind}:${i}` in a decision; `${fill.key}>${kind}:${i}` for orders caused by a fill/close. */
function nextKey(kind: string): string {
  if (emPrefix === null) emPrefix = emFromFill ? `${emBase}>` : `${emBase}:${emClock.time}:`;
  return `${emPrefix}${kind}:${emCount++}`;
}

function emit(intent: Intent): void {
  if (emOut === null) emOut = [intent];
  else emOut.push(intent);
}

function finish(state: HyperrsiState): StrategyResult<HyperrsiState> {
  const intents = emOut ?? NO_INTENTS;
  emOut = null;
  return { state, intents };
}

// ------------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------------

const entrySide = (side: PositionSide): OrderSide => (side === 'long' ? 'buy' : 'sell');
const exitSide = (side: PositionSide): OrderSide => (side === 'long' ? 'sell' : 'buy');
const opposite = (side: PositionSide): PositionSide => (side === 'long' ? 'short' : 'long');
/** a is a more protective stop than b for this side */
const tighter = (side: PositionSide, a: number, b: number): boolean => (side === 'long' ? a > b : a < b);

function cleanAmount(st: HyperrsiState, x: number): number {
  const v = cleanDecimals(x, st.amountDecimals); // Number(x.toFixed(d)), d <= 15
  return v > 0 ? v : 0;
}

function isFlat(st: HyperrsiState, size: number): boolean {
  return size <= st.market.amountStep * 1e-3;
}

function skip(st: HyperrsiState, reason: string, time: number): void {
  st.lastSkip = reason;
  st.lastSkipTime = time;
}

function setCooldown(st: HyperrsiState, side: PositionSide, until: number): void {
  if (side === 'long') {
    if (until > st.cooldownUntilLong) st.cooldownUntilLong = until;
  } else if (until > st.cooldownUntilShort) st.cooldownUntilShort = until;
}

function findOrder(st: HyperrsiState, key: string): number {
  const orders = st.orders;
  for (let i = 0; i < orders.length; i++) if (orders[i].key === key) return i;
  return -1;
}

function hasOrderTag(st: HyperrsiState, tag: HyperrsiOrderTag): boolean {
  const orders = st.orders;
  for (let i = 0; i < orders.length; i++) if (orders[i].tag === tag) return true;
  return false;
}

function newPosition(side: PositionSide, time: number): HyperrsiPosition {
  return {
    side,
    size: 0,
    avgPrice: 0,
    entries: 0,
    initialSize: 0,
    lastEntrySize: 0,
    lastFillPrice: 0,
    openedAt: time,
    minSustain: 0,
    reduced: false,
    tpPrices: [null, null, null],
    tpFilled: 0,
    stopPrice: null,
    stopKey: null,
    trailingOffset: null,
    trailingExtreme: null,
    closing: false,
    closeReason: null,
    protectionPlaced: false,
  };
}

/** Emits a place intent, records the order in the state and returns its key. */
function place(
  st: HyperrsiState,
  tag: HyperrsiOrderTag,
  type: OrderType,
  side: OrderSide,
  positionSide: PositionSide,
  amount: number,
  price: number | null,
  reduceOnly: boolean,
): string {
  const key = nextKey(tag);
  let intent: OrderIntent;
  if (type === 'limit') intent = { action: 'place', key, type, side, positionSide, amount, price: price!, reduceOnly, tag };
  else if (type === 'stop_market') intent = { action: 'place', key, type, side, positionSide, amount, triggerPrice: price!, reduceOnly, tag };
  else intent = { action: 'place', key, type, side, positionSide, amount, reduceOnly, tag };
  emit(intent);
  st.orders.push({ key, tag, positionSide, type, amount, filled: 0, price });
  return key;
}

function cancelAt(st: HyperrsiState, index: number, reason: string): void {
  const rec = st.orders[index];
  st.orders.splice(index, 1);
  emit({ action: 'cancel', key: rec.key, reason });
}

function cancelKey(st: HyperrsiState, key: string, reason: string): void {
  const i = findOrder(st, key);
  if (i >= 0) cancelAt(st, i, reason);
}

/** Cancels every resting order of one position side whose tag is in `tags`. */
function cancelTagged(st: HyperrsiState, side: PositionSide, tags: ReadonlySet<string>, reason: string): void {
  for (let i = 0; i < st.orders.length; ) {
    const o = st.orders[i];
    if (o.positionSide === side && tags.has(o.tag)) cancelAt(st, i, reason);
    else i++;
  }
}

/**
 * Replaces the position's resting stop (SL / break-even / trailing) with a reduce-only stop-market. A trailing stop
 * carries its offset (`trailingOffset`): the exchange (or the matching engine) moves it inside the candle; decide()
 * still re-places it at each new candle extreme, so a venue without trailing orders behaves as before.
 */
function replaceStop(st: HyperrsiState, pos: HyperrsiPosition, trigger: number, tag: HyperrsiOrderTag, reason: string, trail: number | null = null): void {
  if (pos.stopKey !== null) cancelKey(st, pos.stopKey, reason);
  const amount = floorAmount(st.market, pos.size);
  pos.stopPrice = trigger;
  if (!(amount > 0)) {
    pos.stopKey = null;
    return;
  }
  if (trail === null) {
    pos.stopKey = place(st, tag, 'stop_market', exitSide(pos.side), pos.side, amount, trigger, true);
    return;
  }
  const key = nextKey(tag);
  emit({ action: 'place', key, type: 'stop_market', side: exitSide(pos.side), positionSide: pos.side, amount, triggerPrice: trigger, trailingOffset: trail, reduceOnly: true, tag });
  st.orders.push({ key, tag, positionSide: pos.side, type: 'stop_market', amount, filled: 0, price: trigger });
  pos.stopKey = key;
}

/** Market reduce-only close of a whole position; its resting TP/SL orders are cancelled first. */
function closePosition(st: HyperrsiState, pos: HyperrsiPosition, hedge: boolean, reason: string): void {
  cancelTagged(st, pos.side, hedge ? HEDGE_PROTECTION : MAIN_PROTECTION, `close: ${reason}`);
  if (!hedge && st.pendingKey !== null) {
    // a DCA still in flight would re-open what we are closing
    cancelKey(st, st.pendingKey, `close: ${reason}`);
    st.pendingKey = null;
  }
  pos.stopKey = null;
  pos.stopPrice = null;
  pos.closing = true;
  pos.closeReason = reason;
  const amount = floorAmount(st.market, pos.size);
  if (amount > 0) place(st, closeTag(reason), 'market', exitSide(pos.side), pos.side, amount, null, true);
}

function addFill(st: HyperrsiState, pos: HyperrsiPosition, amount: number, price: number): void {
  const size = pos.size + amount;
  pos.avgPrice = size > 0 ? (pos.avgPrice * pos.size + price * amount) / size : 0;
  pos.size = cleanAmount(st, size);
  pos.lastFillPrice = price;
}

// ------------------------------------------------------------------------------------------------------
// Decisions on closed candles
// ------------------------------------------------------------------------------------------------------

function trendBlocks(st: HyperrsiState, side: PositionSide): boolean {
  const t = st.trendState;
  return t === null || (side === 'long' ? t === -2 : t === 2);
}

/** §2.4: the gates after the signal (failures, cooldown, trend). Records the reason when blocked. */
function entryAllowed(st: HyperrsiState, side: PositionSide, c: Candle): boolean {
  const s = st.settings;
  const now = c.time + st.timeframeMs; // the candle's close time
  if (st.halted) {
    skip(st, 'entry_halted_after_failures', now);
    return false;
  }
  if (s.use_cooldown && now < (side === 'long' ? st.cooldownUntilLong : st.cooldownUntilShort)) {
    skip(st, `cooldown_${side}`, now);
    return false;
  }
  if (s.use_trend_logic && trendBlocks(st, side)) {
    skip(st, st.trendState === null ? 'trend_warming_up' : `trend_blocks_${side}`, now);
    return false;
  }
  return true;
}

function evaluateEntry(st: HyperrsiState, c: Candle): void {
  const prev = st.rsiPrev;
  const curr = st.rsiCurr;
  if (prev === null || curr === null) return;
  const s = st.settings;
  let side: PositionSide | null = null;
  if (s.direction !== 'short' && isLongSignal(s.entry_option, prev, curr, s.rsi_oversold) && entryAllowed(st, 'long', c)) side = 'long';
  if (side === null && s.direction !== 'long' && isShortSignal(s.entry_option, prev, curr, s.rsi_overbought) && entryAllowed(st, 'short', c)) side = 'short';
  if (side === null) return;
  if (st.hedge !== null) {
    skip(st, 'hedge_still_open', c.time + st.timeframeMs);
    return;
  }
  if (st.skipNextEntry === true) {
    delete st.skipNextEntry;
    skip(st, 'entry_skipped_by_trader', c.time + st.timeframeMs);
    return;
  }
  const amount = floorAmount(st.market, (st.investment * s.leverage) / c.close);
  if (!meetsMinimums(st.market, amount, c.close)) {
    skip(st, 'entry_below_minimums', c.time + st.timeframeMs);
    return;
  }
  st.pendingKey = place(st, 'entry', 'market', entrySide(side), side, amount, null, false);
}

/** §2.5 pyramiding: at most one add per candle, only with no entry/DCA in flight. */
function evaluateDca(st: HyperrsiState, main: HyperrsiPosition, c: Candle): void {
  const s = st.settings;
  if (st.pendingKey !== null || s.pyramiding_limit <= 1 || main.entries + 1 > s.pyramiding_limit || main.entries === 0) return;
  const side = main.side;
  // the candle's close time (c.time + timeframeMs) is computed where used: a double held in a local across
  // calls is boxed on the heap at once, on every candle
  if (s.use_cooldown && c.time + st.timeframeMs < (side === 'long' ? st.cooldownUntilLong : st.cooldownUntilShort)) return;
  const price = c.close;
  if (s.use_check_DCA_with_price) {
    const ref = s.entry_criterion === 'average' ? main.avgPrice : main.lastFillPrice;
    const level = nextDcaLevel(s.pyramiding_entry_type, s.pyramiding_value, side, ref, effectiveAtr(st.atrValue, price));
    if (side === 'long' ? price > level : price < level) return;
  }
  if (s.use_rsi_with_pyramiding) {
    const prev = st.rsiPrev;
    const curr = st.rsiCurr;
    if (prev === null || curr === null) return;
    if (side === 'long' ? !isLongSignal(s.entry_option, prev, curr, s.rsi_oversold) : !isShortSignal(s.entry_option, prev, curr, s.rsi_overbought)) return;
  }
  if (s.use_trend_logic && trendBlocks(st, side)) {
    skip(st, st.trendState === null ? 'trend_warming_up' : `trend_blocks_dca_${side}`, c.time + st.timeframeMs);
    return;
  }
  const amount = floorAmount(st.market, (st.investment * s.entry_multiplier ** main.entries * s.leverage) / price);
  if (!meetsMinimums(st.market, amount, price)) {
    skip(st, 'dca_below_minimums', c.time + st.timeframeMs);
    return;
  }
  st.pendingKey = place(st, 'dca', 'market', entrySide(side), side, amount, null, false);
}

/** §2.8: raise (long) / lower (short) the trailing stop from the closed candle's extreme. */
function updateTrailing(st: HyperrsiState, main: HyperrsiPosition, c: Candle): void {
  const offset = main.trailingOffset!;
  if (main.side === 'long') {
    if (!(c.high > main.trailingExtreme!)) return;
    main.trailingExtreme = c.high;
    const stop = roundPrice(st.market, c.high - offset);
    if (main.stopPrice === null || stop > main.stopPrice) replaceStop(st, main, stop, 'trailing', 'trailing stop moved', offset);
  } else {
    if (!(c.low < main.trailingExtreme!)) return;
    main.trailingExtreme = c.low;
    const stop = roundPrice(st.market, c.low + offset);
    if (main.stopPrice === null || stop < main.stopPrice) replaceStop(st, main, stop, 'trailing', 'trailing stop moved', offset);
  }
}

function manageMain(st: HyperrsiState, main: HyperrsiPosition, c: Candle): void {
  if (main.closing) return;
  const s = st.settings;
  // §2.1 step 10: dust close (only once the position has been reduced; a fresh entry is never dust)
  if (main.reduced && main.size <= Math.max(main.minSustain, st.market.minAmount)) {
    closePosition(st, main, false, 'dust');
    return;
  }
  // §2.3 trend close
  if (s.use_trend_close && st.trendState !== null && st.trendState === (main.side === 'long' ? -2 : 2)) {
    const hedge = st.hedge;
    closePosition(st, main, false, 'trend');
    if (hedge !== null && s.dual_side_trend_close && !hedge.closing) closePosition(st, hedge, true, 'trend');
    return;
  }
  if (main.trailingOffset !== null) updateTrailing(st, main, c);
  evaluateDca(st, main, c);
}

/** A hedge left open after its main position closed (trend close without dual_side_trend_close). */
function manageOrphanHedge(st: HyperrsiState, hedge: HyperrsiPosition): void {
  if (hedge.closing || !st.settings.use_trend_close || st.trendState === null) return;
  if (st.trendState === (hedge.side === 'long' ? -2 : 2)) closePosition(st, hedge, true, 'trend');
}

function decide(trend: HyperrsiTrendSource, st: HyperrsiState, c: Candle, market: MarketSpec): StrategyResult<HyperrsiState> {
  if (st.lastCandleTime !== null && c.time <= st.lastCandleTime) return { state: st, intents: NO_INTENTS };
  const m = st.market;
  if (market.tickSize !== m.tickSize || market.amountStep !== m.amountStep || market.minAmount !== m.minAmount || market.minNotional !== m.minNotional) {
    setMarket(st, market);
  }
  const r = updateRsi(st.rsi, c.close);
  st.rsiPrev = st.rsiCurr;
  st.rsiCurr = r === r ? r : null;
  const a = updateAtr(st.atr, c.high, c.low, c.close);
  if (a === a) st.atrValue = a;
  if (st.trend !== null) st.trendState = trend.update(st.trend, c);
  st.lastCandleTime = c.time;
  st.lastClose = c.close;
  st.candles++;

  beginDecision(st.botId, c.time);
  const main = st.main;
  if (main !== null) manageMain(st, main, c);
  else if (st.hedge !== null) manageOrphanHedge(st, st.hedge);
  if (st.main === null && main === null && st.pendingKey === null) evaluateEntry(st, c);
  return finish(st);
}

// ------------------------------------------------------------------------------------------------------
// Fills
// ------------------------------------------------------------------------------------------------------

/** TP/SL for the (new) average price, after an entry or DCA completed (§2.5 "rebuilt", §2.6, §2.7). */
function rebuildProtection(st: HyperrsiState, main: HyperrsiPosition, current: number): void {
  cancelTagged(st, main.side, MAIN_PROTECTION, 'rebuild after entry');
  main.stopKey = null;
  main.stopPrice = null;
  main.trailingOffset = null;
  main.trailingExtreme = null;
  main.tpFilled = 0;
  if (main.manualTp) placeManualTps(st, main, main.manualTp);
  else placeStrategyTps(st, main, current);
  if (main.manualStop !== undefined && main.manualStop !== null) replaceStop(st, main, main.manualStop, 'manual_sl', 'rebuild after entry');
  else placeStrategyStop(st, main);
}

/** The strategy's own TP ladder (§2.6) for the whole position from its average price. */
function placeStrategyTps(st: HyperrsiState, main: HyperrsiPosition, current: number): void {
  const s = st.settings;
  const atr = effectiveAtr(st.atrValue, current);
  main.tpPrices = takeProfitPrices(s, main.side, main.avgPrice, current, atr, st.market);
  const amounts = takeProfitAmounts(s, main.size, st.market);
  for (let i = 0; i < 3; i++) {
    const price = main.tpPrices[i];
    if (amounts[i] > 0 && price !== null) place(st, TP_TAGS[i], 'limit', exitSide(main.side), main.side, amounts[i], price, true);
  }
}

/** The strategy's own stop-loss (§2.7), when the settings ask for one now. */
function placeStrategyStop(st: HyperrsiState, main: HyperrsiPosition): void {
  const s = st.settings;
  if (s.use_sl && (!s.use_sl_on_last || main.entries >= s.pyramiding_limit)) {
    // docs/adr/0012-stop-loss-after-dca.md: from the average entry (default), or from the first entry fill
    const ref = s.sl_reference === 'entry' ? (main.firstFillPrice ?? main.avgPrice) : main.avgPrice;
    const sl = stopLossPrice(s, main.side, ref, effectiveAtr(st.atrValue, ref), st.market);
    if (sl !== null) replaceStop(st, main, sl, 'sl', 'rebuild after entry');
  }
}

/**
 * The trader's TP ladder: level i closes sizes[i] % of the position at prices[i]; when the sizes add up to 100 the
 * last level takes what the others leave (no dust). Placed as tp1..tp3, so break-even and trailing follow them as
 * they follow the strategy's own ladder.
 */
function placeManualTps(st: HyperrsiState, main: HyperrsiPosition, tp: { prices: number[]; sizes: number[] }): void {
  main.tpPrices = [tp.prices[0] ?? null, tp.prices[1] ?? null, tp.prices[2] ?? null];
  const n = tp.prices.length;
  let total = 0;
  for (const x of tp.sizes) total += x;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const amount = i === n - 1 && total >= 100 - 1e-9 ? floorAmount(st.market, main.size - used) : floorAmount(st.market, (main.size * tp.sizes[i]) / 100);
    used += amount;
    if (amount > 0 && meetsMinimums(st.market, amount, tp.prices[i])) place(st, TP_TAGS[i], 'limit', exitSide(main.side), main.side, amount, tp.prices[i], true);
  }
}

/** Price of the main position's last DCA level from its current reference (null once all DCAs are done). */
function lastDcaLevel(st: HyperrsiState, main: HyperrsiPosition): number | null {
  const s = st.settings;
  const remaining = s.pyramiding_limit - main.entries;
  if (remaining <= 0) return null;
  let level = s.entry_criterion === 'average' ? main.avgPrice : main.lastFillPrice;
  const atr = effectiveAtr(st.atrValue, main.lastFillPrice);
  for (let i = 0; i < remaining; i++) level = nextDcaLevel(s.pyramiding_entry_type, s.pyramiding_value, main.side, level, atr);
  return level > 0 ? roundPrice(st.market, level) : null;
}

/** §2.9 hedge TP/SL. */
function placeHedgeProtection(st: HyperrsiState, hedge: HyperrsiPosition, time: number): void {
  const s = st.settings;
  const main = st.main;
  cancelTagged(st, hedge.side, HEDGE_PROTECTION, 'rebuild hedge protection');
  hedge.stopKey = null;
  hedge.stopPrice = null;
  hedge.protectionPlaced = true;
  const m = hedge.side === 'long' ? 1 : -1;
  const avg = hedge.avgPrice;
  let tp: number | null = null;
  switch (s.dual_side_entry_tp_trigger_type) {
    case 'do_not_close':
      break;
    case 'existing_position':
      tp = main?.stopPrice ?? null;
      break;
    case 'last_dca_on_position':
      tp = main !== null ? lastDcaLevel(st, main) : null;
      break;
    case 'percent':
      tp = avg * (1 + (m * s.dual_side_entry_tp_value) / 100);
      break;
  }
  const amount = floorAmount(st.market, hedge.size);
  if (tp !== null) {
    tp = roundPrice(st.market, tp);
    if (m * (tp - avg) > 0 && amount > 0) place(st, 'hedge_tp', 'limit', exitSide(hedge.side), hedge.side, amount, tp, true);
    else skip(st, 'hedge_tp_on_wrong_side', time);
  }
  if (s.use_dual_sl) {
    let sl: number | null = null;
    if (s.dual_side_entry_sl_trigger_type === 'existing_position') sl = main?.tpPrices.find((p) => p !== null) ?? null;
    else sl = avg * (1 - (m * s.dual_side_entry_sl_value) / 100);
    if (sl !== null) {
      sl = roundPrice(st.market, sl);
      if (m * (avg - sl) > 0 && sl > 0) replaceStop(st, hedge, sl, 'hedge_sl', 'rebuild hedge protection');
      else skip(st, 'hedge_sl_on_wrong_side', time);
    }
  }
}

/** §2.9: after a DCA filled — close the hedge at the last DCA, arm deferred protection, or open/top up the hedge. */
function afterDca(st: HyperrsiState, main: HyperrsiPosition, price: number, time: number): void {
  const s = st.settings;
  if (!s.use_dual_side_entry) return;
  const hedge = st.hedge;
  const allDone = main.entries >= s.pyramiding_limit;
  if (hedge !== null && !hedge.closing) {
    if (s.dual_side_entry_tp_trigger_type === 'last_dca_on_position' && allDone) {
      closePosition(st, hedge, true, 'main_last_dca');
      return;
    }
    if (!hedge.protectionPlaced && s.activate_tp_sl_after_all_dca && allDone) placeHedgeProtection(st, hedge, time);
  }
  if (main.entries < s.dual_side_entry_trigger || st.hedgeEntries >= s.dual_side_pyramiding_limit || hasOrderTag(st, 'hedge_entry')) return;
  const v = s.dual_side_entry_ratio_value;
  let amount: number;
  if (s.dual_side_entry_ratio_type === 'percent_of_position') {
    const pct = v <= 1 ? v * 100 : v;
    amount = Math.max((main.size * pct) / 100, st.market.minAmount) - (hedge?.size ?? 0);
  } else amount = v;
  amount = floorAmount(st.market, amount);
  if (!meetsMinimums(st.market, amount, price)) {
    skip(st, 'hedge_below_minimums', time);
    return;
  }
  const side = opposite(main.side);
  place(st, 'hedge_entry', 'market', entrySide(side), side, amount, null, false);
}

function finalizeEntry(st: HyperrsiState, main: HyperrsiPosition, tag: 'entry' | 'dca', filled: number, price: number, time: number): void {
  const s = st.settings;
  st.pendingKey = null;
  main.entries += 1;
  main.lastEntrySize = filled;
  if (main.entries === 1) {
    main.initialSize = filled;
    main.firstFillPrice = main.avgPrice;
    main.openedAt = time;
    main.minSustain = minSustainSize(s, filled, st.market.minAmount);
    st.entryFailCount = 0;
    st.hedgeEntries = 0;
  }
  if (s.use_cooldown) setCooldown(st, main.side, time + s.cooldown_time * 1000);
  rebuildProtection(st, main, price);
  if (tag === 'dca') afterDca(st, main, price, time);
}

function onEntryFill(st: HyperrsiState, f: Fill, rec: HyperrsiOrder | null, tag: 'entry' | 'dca', complete: boolean): void {
  let main = st.main;
  if (main === null) main = st.main = newPosition(f.positionSide, f.time);
  else if (main.side !== f.positionSide) return;
  addFill(st, main, f.amount, f.price);
  if (complete) finalizeEntry(st, main, tag, rec !== null ? rec.filled : f.amount, f.price, f.time);
}

function onTpComplete(st: HyperrsiState, main: HyperrsiPosition, level: number, fillPrice: number): void {
  const s = st.settings;
  if (level > main.tpFilled) main.tpFilled = level;
  let stop: number | null = null;
  let tag: HyperrsiOrderTag = 'break_even';
  let trail: number | null = null;
  if (level === 1 && s.use_break_even) stop = roundPrice(st.market, main.avgPrice);
  else if (level === 2 && s.use_break_even_tp2) stop = main.tpPrices[0];
  else if (level === 3 && s.use_break_even_tp3) stop = main.tpPrices[1];
  if (s.trailing_stop_active && s.trailing_start_point === TP_TAGS[level - 1]) {
    const offset = trailingOffset(s, fillPrice, main.tpPrices[1], main.tpPrices[2]);
    main.trailingOffset = offset;
    main.trailingExtreme = fillPrice;
    const t = roundPrice(st.market, main.side === 'long' ? fillPrice - offset : fillPrice + offset);
    if (stop === null || tighter(main.side, t, stop)) stop = t;
    tag = 'trailing';
    trail = offset;
  }
  if (stop !== null && (main.stopPrice === null || tighter(main.side, stop, main.stopPrice))) {
    replaceStop(st, main, stop, tag, level === 1 ? 'break-even after tp1' : `stop moved after tp${level}`, trail);
  }
}

/** The main position is flat: drop its orders; close the hedge too (unless a trend close keeps it, §2.3). */
function mainClosed(st: HyperrsiState, main: HyperrsiPosition): void {
  cancelTagged(st, main.side, MAIN_PROTECTION, 'position closed');
  st.main = null;
  st.hedgeEntries = 0;
  const hedge = st.hedge;
  if (hedge !== null && !hedge.closing && (main.closeReason !== 'trend' || st.settings.dual_side_trend_close)) {
    closePosition(st, hedge, true, 'main_exit');
  }
}

function onMainReduce(st: HyperrsiState, f: Fill, tag: HyperrsiOrderTag, complete: boolean): void {
  const main = st.main;
  if (main === null || main.side !== f.positionSide) return;
  const s = st.settings;
  main.size = cleanAmount(st, main.size - f.amount);
  main.reduced = true;
  if (s.use_cooldown) setCooldown(st, main.side, f.time + Math.max(s.cooldown_time, 5) * 1000);
  if (isFlat(st, main.size)) {
    mainClosed(st, main);
    return;
  }
  if (!complete) return;
  if (f.key === main.stopKey) {
    main.stopKey = null;
    main.stopPrice = null;
  }
  if (CLOSE_TAGS.has(tag)) main.closing = false;
  else if (tag === 'tp1' || tag === 'tp2' || tag === 'tp3') onTpComplete(st, main, Number(tag[2]), f.price);
}

function onHedgeEntryFill(st: HyperrsiState, f: Fill, complete: boolean): void {
  let hedge = st.hedge;
  if (hedge === null) hedge = st.hedge = newPosition(f.positionSide, f.time);
  else if (hedge.side !== f.positionSide) return;
  addFill(st, hedge, f.amount, f.price);
  if (complete) finalizeHedgeEntry(st, hedge, f.time);
}

function finalizeHedgeEntry(st: HyperrsiState, hedge: HyperrsiPosition, time: number): void {
  const s = st.settings;
  hedge.entries += 1;
  st.hedgeEntries += 1;
  const main = st.main;
  if (!s.activate_tp_sl_after_all_dca || (main !== null && main.entries >= s.pyramiding_limit)) placeHedgeProtection(st, hedge, time);
}

function onHedgeReduce(st: HyperrsiState, f: Fill, tag: HyperrsiOrderTag, complete: boolean): void {
  const hedge = st.hedge;
  if (hedge === null || hedge.side !== f.positionSide) return;
  hedge.size = cleanAmount(st, hedge.size - f.amount);
  hedge.reduced = true;
  if (isFlat(st, hedge.size)) {
    cancelTagged(st, hedge.side, HEDGE_PROTECTION, 'hedge closed');
    st.hedge = null;
    const main = st.main;
    if (tag === 'hedge_tp' && st.settings.close_main_on_hedge_tp && main !== null && !main.closing) closePosition(st, main, false, 'hedge_tp');
    return;
  }
  if (!complete) return;
  if (f.key === hedge.stopKey) {
    hedge.stopKey = null;
    hedge.stopPrice = null;
  }
  if (CLOSE_TAGS.has(tag)) hedge.closing = false;
}

function onFill(st: HyperrsiState, f: Fill): StrategyResult<HyperrsiState> {
  beginCaused(f.key);
  const idx = findOrder(st, f.key);
  const rec = idx >= 0 ? st.orders[idx] : null;
  // an order we already cancelled can still fill (race): fall back to the fill's own tag
  const tag = (rec !== null ? rec.tag : f.tag) as HyperrsiOrderTag;
  const complete = !(f.remaining > 0);
  if (rec !== null) {
    rec.filled = cleanAmount(st, rec.filled + f.amount);
    if (complete) st.orders.splice(idx, 1);
  }
  switch (tag) {
    case 'entry':
    case 'dca':
      onEntryFill(st, f, rec, tag, complete);
      break;
    case 'tp1':
    case 'tp2':
    case 'tp3':
    case 'sl':
    case 'manual_sl':
    case 'break_even':
    case 'trailing':
      onMainReduce(st, f, tag, complete);
      break;
    case 'close':
    case 'trend_close':
    case 'dust':
    case 'hedge_close':
      // a close carries the reason, not the position: main and hedge are always on opposite sides
      if (st.main !== null && st.main.side === f.positionSide) {
        const partial = st.main.closeReason === 'manual_partial';
        onMainReduce(st, f, tag, complete);
        if (partial && complete && st.main !== null && rec !== null) resizeAfterPartialClose(st, st.main, rec.filled);
      } else onHedgeReduce(st, f, tag, complete);
      break;
    case 'hedge_entry':
      onHedgeEntryFill(st, f, complete);
      break;
    case 'hedge_tp':
    case 'hedge_sl':
      onHedgeReduce(st, f, tag, complete);
      break;
    default:
      if ((f.tag as string) === 'liquidation') onLiquidation(st, f);
      break;
  }
  return finish(st);
}

/**
 * The exchange (or the matching engine) force-closed one side: a fill with tag 'liquidation' and a key we never
 * placed. That position no longer exists: forget it, cancel its TP/SL, start the cooldown, and never DCA into it.
 */
function onLiquidation(st: HyperrsiState, f: Fill): void {
  const main = st.main;
  if (main !== null && main.side === f.positionSide) {
    main.size = 0;
    main.closeReason = 'liquidation';
    if (st.pendingKey !== null) st.pendingKey = null;
    if (st.settings.use_cooldown) setCooldown(st, main.side, f.time + Math.max(st.settings.cooldown_time, 5) * 1000);
    mainClosed(st, main);
    return;
  }
  const hedge = st.hedge;
  if (hedge !== null && hedge.side === f.positionSide) {
    cancelTagged(st, hedge.side, HEDGE_PROTECTION, 'hedge liquidated');
    st.hedge = null;
  }
}

function onOrderClosed(st: HyperrsiState, ev: OrderClosedEvent): StrategyResult<HyperrsiState> {
  beginCaused(ev.key);
  const idx = findOrder(st, ev.key);
  if (idx < 0) return finish(st);
  const rec = st.orders[idx];
  st.orders.splice(idx, 1);
  switch (rec.tag) {
    case 'entry':
    case 'dca': {
      if (st.pendingKey === rec.key) st.pendingKey = null;
      const main = st.main;
      if (rec.filled > 0 && main !== null) finalizeEntry(st, main, rec.tag, rec.filled, main.lastFillPrice, ev.time);
      else if (ev.status === 'rejected') {
        if (rec.tag === 'entry') {
          st.entryFailCount += 1;
          if (st.entryFailCount >= MAX_ENTRY_FAILURES) st.halted = true;
        }
        skip(st, `${rec.tag}_rejected`, ev.time);
      }
      break;
    }
    case 'hedge_entry': {
      const hedge = st.hedge;
      if (rec.filled > 0 && hedge !== null) finalizeHedgeEntry(st, hedge, ev.time);
      else if (ev.status === 'rejected') skip(st, 'hedge_entry_rejected', ev.time);
      break;
    }
    case 'close':
    case 'trend_close':
    case 'dust':
    case 'hedge_close': {
      const pos = st.main !== null && st.main.side === rec.positionSide ? st.main : st.hedge !== null && st.hedge.side === rec.positionSide ? st.hedge : null;
      if (pos !== null) {
        pos.closing = false;
        if (pos.closeReason === 'manual_partial') pos.closeReason = null;
      }
      break;
    }
    case 'sl':
    case 'manual_sl':
    case 'break_even':
    case 'trailing':
    case 'hedge_sl': {
      const pos = rec.tag === 'hedge_sl' ? st.hedge : st.main;
      if (pos !== null && pos.stopKey === rec.key) {
        pos.stopKey = null;
        pos.stopPrice = null;
      }
      break;
    }
    case 'tp1':
    case 'tp2':
    case 'tp3':
    case 'hedge_tp':
      // a TP that ended unfilled (e.g. cancelled by the exchange): the position stays as the fills say
      break;
  }
  return finish(st);
}

// ------------------------------------------------------------------------------------------------------
// Trader commands (docs/adr/0018-trader-commands.md)
// ------------------------------------------------------------------------------------------------------

/** The commands HYPERRSI accepts: all of them. */
export const HYPERRSI_COMMANDS: readonly StrategyCommandType[] = ['set_stop_loss', 'clear_stop_loss', 'set_take_profit', 'clear_take_profit', 'close_percent', 'skip_next_entry', 'force_entry'];

/** The main position on `side` that a command can act on (open, not being closed); records why not otherwise. */
function commandTarget(st: HyperrsiState, side: PositionSide | undefined, now: number): HyperrsiPosition | null {
  const main = st.main;
  if (main === null || (side !== undefined && main.side !== side) || !(main.size > 0)) {
    skip(st, `command_no_${side ?? 'open'}_position`, now);
    return null;
  }
  if (main.closing) {
    skip(st, 'command_position_closing', now);
    return null;
  }
  return main;
}

/** Resting stop's tag of the main position (null when none). */
function stopTag(st: HyperrsiState, main: HyperrsiPosition): HyperrsiOrderTag | null {
  if (main.stopKey === null) return null;
  const i = findOrder(st, main.stopKey);
  return i >= 0 ? st.orders[i].tag : null;
}

/** Cancels the main position's resting take-profits (tp1..tp3). */
function cancelTps(st: HyperrsiState, main: HyperrsiPosition, reason: string): void {
  cancelTagged(st, main.side, MAIN_TPS, reason);
  main.tpFilled = 0;
}

/**
 * After a partial close filled: the resting stop and take-profits are resized to what is left (each TP keeps its
 * price and closes the same share of the smaller position), so no reduce-only order is larger than the position.
 */
function resizeAfterPartialClose(st: HyperrsiState, main: HyperrsiPosition, closed: number): void {
  main.closeReason = null;
  const before = main.size + closed;
  const ratio = before > 0 ? main.size / before : 0;
  const tps = st.orders.filter((o) => o.positionSide === main.side && MAIN_TPS.has(o.tag));
  for (const o of tps) {
    cancelKey(st, o.key, 'resize after partial close');
    const amount = floorAmount(st.market, (o.amount - o.filled) * ratio);
    if (amount > 0 && o.price !== null && meetsMinimums(st.market, amount, o.price)) place(st, o.tag, 'limit', exitSide(main.side), main.side, amount, o.price, true);
  }
  const tag = stopTag(st, main);
  if (main.stopPrice !== null && tag !== null) replaceStop(st, main, main.stopPrice, tag, 'resize after partial close', tag === 'trailing' ? main.trailingOffset : null);
}

function onCommand(st: HyperrsiState, input: CommandInput, market?: MarketSpec): StrategyResult<HyperrsiState> {
  if (market !== undefined) {
    const m = st.market;
    if (market.tickSize !== m.tickSize || market.amountStep !== m.amountStep || market.minAmount !== m.minAmount || market.minNotional !== m.minNotional) setMarket(st, market);
  }
  beginCommand(st.botId, input.id);
  const c = input.command;
  // the command belongs to the last decided candle: its close time is the command's time
  const now = st.lastCandleTime === null ? 0 : st.lastCandleTime + st.timeframeMs;
  const last = st.lastClose;
  switch (c.type) {
    case 'set_stop_loss': {
      const main = commandTarget(st, c.side, now);
      if (main === null) break;
      const price = roundPrice(st.market, c.price);
      // a stop on the wrong side of the price would fire at once: that is a close, not a stop
      if (last === null || !(price > 0) || (c.side === 'long' ? price >= last : price <= last)) {
        skip(st, 'manual_sl_on_wrong_side', now);
        break;
      }
      main.manualStop = price;
      main.trailingOffset = null;
      main.trailingExtreme = null;
      replaceStop(st, main, price, 'manual_sl', 'manual stop-loss');
      break;
    }
    case 'clear_stop_loss': {
      const main = commandTarget(st, c.side, now);
      if (main === null) break;
      if (main.manualStop === undefined || main.manualStop === null) {
        skip(st, 'no_manual_sl', now);
        break;
      }
      main.manualStop = null;
      if (main.stopKey !== null && stopTag(st, main) === 'manual_sl') cancelKey(st, main.stopKey, 'manual stop-loss cleared');
      main.stopKey = null;
      main.stopPrice = null;
      placeStrategyStop(st, main);
      break;
    }
    case 'set_take_profit': {
      const main = commandTarget(st, c.side, now);
      if (main === null) break;
      const prices = c.prices.map((p) => roundPrice(st.market, p));
      if (last === null || prices.some((p) => !(p > 0) || (c.side === 'long' ? p <= last : p >= last))) {
        skip(st, 'manual_tp_on_wrong_side', now);
        break;
      }
      main.manualTp = { prices, sizes: [...c.sizes] };
      cancelTps(st, main, 'manual take-profit');
      placeManualTps(st, main, main.manualTp);
      break;
    }
    case 'clear_take_profit': {
      const main = commandTarget(st, c.side, now);
      if (main === null) break;
      if (!main.manualTp) {
        skip(st, 'no_manual_tp', now);
        break;
      }
      main.manualTp = null;
      cancelTps(st, main, 'manual take-profit cleared');
      placeStrategyTps(st, main, last ?? main.avgPrice);
      break;
    }
    case 'close_percent': {
      const main = commandTarget(st, c.side, now);
      if (main === null) break;
      let amount = floorAmount(st.market, (main.size * c.percent) / 100);
      const rest = floorAmount(st.market, main.size - amount);
      const ref = last ?? main.avgPrice;
      if (c.percent >= 100 || !meetsMinimums(st.market, rest, ref)) {
        // what would be left is below the minimums: close it all
        closePosition(st, main, false, 'manual');
        break;
      }
      amount = floorAmount(st.market, amount);
      if (!meetsMinimums(st.market, amount, ref)) {
        skip(st, 'close_below_minimums', now);
        break;
      }
      if (st.pendingKey !== null) {
        // a DCA in flight would add back what we take off
        cancelKey(st, st.pendingKey, 'manual partial close');
        st.pendingKey = null;
      }
      main.closing = true;
      main.closeReason = 'manual_partial';
      place(st, 'close', 'market', exitSide(main.side), main.side, amount, null, true);
      break;
    }
    case 'skip_next_entry':
      st.skipNextEntry = true;
      break;
    case 'force_entry': {
      if (st.main !== null || st.pendingKey !== null) {
        skip(st, 'force_entry_position_open', now);
        break;
      }
      if (st.hedge !== null) {
        skip(st, 'hedge_still_open', now);
        break;
      }
      if (last === null) {
        skip(st, 'force_entry_no_price_yet', now);
        break;
      }
      const amount = floorAmount(st.market, c.size !== undefined ? c.size : (st.investment * st.settings.leverage) / last);
      if (!meetsMinimums(st.market, amount, last)) {
        skip(st, 'entry_below_minimums', now);
        break;
      }
      st.pendingKey = place(st, 'entry', 'market', entrySide(c.side), c.side, amount, null, false);
      break;
    }
  }
  return finish(st);
}

// ------------------------------------------------------------------------------------------------------
// Init and the Strategy object
// ------------------------------------------------------------------------------------------------------

function setMarket(st: HyperrsiState, market: MarketSpec): void {
  st.market = {
    symbol: market.symbol,
    type: market.type,
    tickSize: market.tickSize,
    amountStep: market.amountStep,
    minAmount: market.minAmount,
    minNotional: market.minNotional,
  };
  st.amountDecimals = Math.min(stepDecimals(market.amountStep) + 3, 15);
}

/** Whether any setting needs trend_state (otherwise it is not computed at all). */
export function needsTrend(s: HyperrsiSettings): boolean {
  return s.use_trend_logic || s.use_trend_close || (s.use_dual_side_entry && s.dual_side_trend_close);
}

function init(trend: HyperrsiTrendSource, i: StrategyInit<HyperrsiSettings>): HyperrsiState {
  const s = i.settings;
  const st: HyperrsiState = {
    v: 1,
    botId: i.botId,
    timeframe: i.timeframe,
    timeframeMs: timeframeMs(i.timeframe),
    settings: s,
    market: i.market,
    investment: investmentFor(s, i.market.symbol),
    amountDecimals: 0,
    rsi: createRsiState(s.rsi_length),
    atr: createAtrState(14),
    trend: needsTrend(s) ? trend.create(i.timeframe, s) : null,
    rsiPrev: null,
    rsiCurr: null,
    atrValue: null,
    trendState: null,
    lastCandleTime: null,
    lastClose: null,
    candles: 0,
    entryFailCount: 0,
    halted: false,
    cooldownUntilLong: 0,
    cooldownUntilShort: 0,
    pendingKey: null,
    main: null,
    hedge: null,
    hedgeEntries: 0,
    orders: [],
    lastSkip: null,
    lastSkipTime: null,
  };
  setMarket(st, i.market);
  return st;
}

/** Builds the HYPERRSI strategy; `deps.trend` replaces the trend_state source (tests). */
export function createHyperrsiStrategy(deps: HyperrsiStrategyDeps = {}): Strategy<HyperrsiSettings, HyperrsiState> {
  const trend = deps.trend ?? defaultTrendSource;
  return {
    name: 'hyperrsi',
    // the original trades USDT perpetuals on cross margin (docs/adr/0011-cross-margin-and-funding.md)
    defaultMarginMode: 'cross',
    parseSettings: parseHyperrsiSettings,
    canonicalKeys: canonicalHyperrsiKeys,
    init: (i) => init(trend, i),
    decide: (st, c, market) => decide(trend, st, c, market),
    onFill,
    onOrderClosed,
    commands: HYPERRSI_COMMANDS,
    onCommand,
  };
}

export const hyperrsiStrategy: Strategy<HyperrsiSettings, HyperrsiState> = createHyperrsiStrategy();
