import type { Candle } from '../core/candle';
import type { CommandInput, StrategyCommand, StrategyCommandType } from '../core/commands';
import {
  type Fill,
  type Intent,
  type MarketSpec,
  type OrderClosedEvent,
  type OrderIntent,
  type Strategy,
  type StrategyInit,
  type StrategyResult,
  StrategySettingsError,
} from '../core/contract';
import {
  ceilPrice as ceilPriceImport,
  floorAmount as floorAmountImport,
  floorPrice as floorPriceImport,
  meetsMinimums as meetsMinimumsImport,
  roundPrice as roundPriceImport,
} from '../core/precision';
import { createResampleState, type ResampleState, stepResample as stepResampleImport } from '../core/resample';
import { type Timeframe, timeframeMs as timeframeMsImport } from '../core/timeframe';
import {
  type AtrState,
  createAtrState,
  createMamaFamaState,
  type MamaFamaState,
  type MamaFamaValue,
  updateAtr as updateAtrImport,
  updateMamaFama as updateMamaFamaImport,
} from '../indicators';
import { type GridLeg, type GridSlot, type SlotStatus, createSlot, moveSlot as moveSlotImport, slotHeld as slotHeldImport } from './grid-slot.state';
import {
  ADAPTIVE_COLUMNS,
  type AdaptiveLevelsState,
  createAdaptiveLevelsState,
  expandAdaptiveLadder as expandAdaptiveLadderImport,
  rangeLevelPrice,
  updateAdaptiveLevels as updateAdaptiveLevelsImport,
} from './grid.levels';
import { createRegimeState, type RegimeState, updateRegime as updateRegimeImport } from './grid.regime';
import { canonicalGridKeys, type GridSettings, parseGridSettings } from './grid.settings';

// Functions called on every candle or order, bound once at module load: the CommonJS output (swc/tsc) reaches an
// imported function through the exporting module's getter (two for the indicators' re-exports) on every call.
const ceilPrice = ceilPriceImport;
const floorAmount = floorAmountImport;
const floorPrice = floorPriceImport;
const meetsMinimums = meetsMinimumsImport;
const roundPrice = roundPriceImport;
const stepResample = stepResampleImport;
const timeframeMs = timeframeMsImport;
const updateAtr = updateAtrImport;
const updateMamaFama = updateMamaFamaImport;
const moveSlot = moveSlotImport;
const slotHeld = slotHeldImport;
const expandAdaptiveLadder = expandAdaptiveLadderImport;
const updateAdaptiveLevels = updateAdaptiveLevelsImport;
const updateRegime = updateRegimeImport;

/*
 * The GRID strategy (docs/architecture.md §3, docs/strategy-rules.md §3, docs/strategy-rules.md §7). Pure and
 * deterministic: decide() on closed candles places/cancels limit orders at grid levels; resting orders fill
 * inside candles through the matching engine; onFill() answers a fill with the level's take-profit (and, in
 * adaptive mode, the original's re-arm of the level below); a take-profit fill completes a pair and re-arms
 * the level.
 *
 * Keys: `${botId}:${candle.time}:${kind}:${level}` for decisions (candle.time = the decided candle's open
 * time; kinds open | tp | close); for orders caused by a fill or a closed order, `${cause.key}>${kind}:${level}`
 * (kinds tp | rearm | close), or `${root}>${kind}:${level}:${seq}` when the cause was itself fill-driven (see
 * chainKey). Cancels carry the key of the order they cancel.
 */

export type GridStatus = 'warming_up' | 'waiting_trigger' | 'running' | 'stopped';

export interface GridLegPosition {
  /** Base held (≥ 0). */
  qty: number;
  /** Average entry price (0 when flat). */
  avg: number;
}

export interface GridMetrics {
  /** Completed buy→sell (or sell→buy) pairs. */
  matchedPairs: number;
  /** Profit of the completed pairs, net of both fills' fees (quote). */
  gridProfit: number;
  /** All realised PnL: completed pairs and stop/close-all exits, net of fees (quote). */
  realizedPnl: number;
  /** Floating PnL of the open legs at the last close (quote). */
  unrealizedPnl: number;
  fees: number;
  entries: number;
  /** Orders not placed because their amount was under the market minimums. */
  belowMinimums: number;
  /** Fills of orders this strategy could no longer attach to a level (closed by stops only). */
  unmanagedFills: number;
  trailingShifts: number;
  /** Forced closes by the exchange (fills tagged 'liquidation'); each stops the grid. */
  liquidations: number;
}

export interface RetiredOrder {
  key: string;
  j: number;
  leg: GridLeg;
  price: number;
}

export interface AdaptiveIndicators {
  mama: MamaFamaState;
  atr: AtrState;
  levels: AdaptiveLevelsState;
  /** null when the chart timeframe is already ≥ 4h (the regime then runs on chart candles). */
  resample: ResampleState | null;
  regime: RegimeState;
  /** Smoothed columns 0..20 of §3.3. */
  columns: number[];
  /** Chart bars until the levels are meaningful (MAMA period settling). */
  warmup: number;
}

export interface GridState {
  readonly v: 1;
  readonly botId: string;
  readonly timeframe: Timeframe;
  readonly settings: GridSettings;
  market: MarketSpec;
  status: GridStatus;
  stopReason: string | null;
  lastCandleTime: number | null;
  lastClose: number | null;
  /** Close time of the first decided candle (the time stop's reference before any entry). */
  startTime: number | null;
  lastEntryTime: number | null;
  /** Current ADX regime −2..+2 (adaptive), always 0 in range mode. */
  regime: number;
  /** Level prices. adaptive: ladder[j] for j = 0..max(gridNum+1, 21). range: ladder[j - base + 1] for j in base-1..base+gridNum+1. */
  ladder: number[];
  /** range: absolute index of the lowest level in the current window (moves with trailing). */
  base: number;
  slots: GridSlot[];
  long: GridLegPosition;
  short: GridLegPosition;
  /** Keys of market close orders in flight. */
  closeKeys: string[];
  /** Counter that keeps keys of chained fill-driven orders unique (see `chainKey`). */
  seq: number;
  /** Recently cancelled entry orders (bounded), so a fill racing the cancel is still attributed. */
  retired: RetiredOrder[];
  metrics: GridMetrics;
  ind: AdaptiveIndicators | null;
  /** The trader's stop-loss / take-profit price for the whole grid (commands; absent = none). */
  manual?: GridManualStops;
}

/** A manual stop: `side` long = triggers when the price falls to it (stop) / rises to it (take-profit); short mirrors. */
export interface GridManualStops {
  sl: { side: GridLeg; price: number } | null;
  tp: { side: GridLeg; price: number } | null;
}

const FOUR_H = 4 * 3_600_000;
const MAX_RETIRED = 64;
const MAX_REJECTS = 3;
const EPS = 1e-12;
const ADAPTIVE_WARMUP = 50;
/** Tag of the engine's / exchange's forced close of a position (a fill with a key the grid never placed). */
const LIQUIDATION_TAG = 'liquidation';

// ------------------------------------------------------------------------------------------------
// init
// ------------------------------------------------------------------------------------------------

function initGrid(init: StrategyInit<GridSettings>): GridState {
  const { botId, settings: s, market, timeframe } = init;
  if (market.type === 'spot' && s.direction !== 'long') {
    throw new StrategySettingsError([{ field: 'direction', message: `a ${s.direction} grid needs a perpetual market; ${market.symbol} is spot` }]);
  }
  const state: GridState = {
    v: 1,
    botId,
    timeframe,
    settings: s,
    market: { ...market },
    status: 'running',
    stopReason: null,
    lastCandleTime: null,
    lastClose: null,
    startTime: null,
    lastEntryTime: null,
    regime: 0,
    ladder: [],
    base: 0,
    slots: [],
    long: { qty: 0, avg: 0 },
    short: { qty: 0, avg: 0 },
    closeKeys: [],
    seq: 0,
    retired: [],
    metrics: {
      matchedPairs: 0,
      gridProfit: 0,
      realizedPnl: 0,
      unrealizedPnl: 0,
      fees: 0,
      entries: 0,
      belowMinimums: 0,
      unmanagedFills: 0,
      trailingShifts: 0,
      liquidations: 0,
    },
    ind: null,
  };
  if (s.mode === 'adaptive') {
    const htfDirect = timeframeMs(timeframe) >= FOUR_H;
    state.ind = {
      mama: createMamaFamaState(s.fastLimit, s.slowLimit),
      atr: createAtrState(s.atrLength),
      levels: createAdaptiveLevelsState(s.bandMult, s.minDiff),
      resample: htfDirect ? null : createResampleState(timeframe, '4h'),
      regime: createRegimeState(s.adxLength, s.adxThreshold),
      columns: new Array<number>(ADAPTIVE_COLUMNS).fill(0),
      warmup: ADAPTIVE_WARMUP,
    };
    state.status = 'warming_up';
    for (let j = 1; j <= s.gridNum; j++) state.slots.push(createSlot(j));
  } else {
    buildRangeLadder(state);
    const issues: { field: string; message: string }[] = [];
    for (let i = 1; i < state.ladder.length; i++) {
      if (!(state.ladder[i] > state.ladder[i - 1]) || !(state.ladder[i - 1] > 0)) {
        issues.push({ field: 'gridNum', message: `levels collapse at tick size ${market.tickSize}: use fewer grids or a wider range` });
        break;
      }
    }
    if (issues.length > 0) throw new StrategySettingsError(issues);
    for (let j = 0; j <= s.gridNum; j++) state.slots.push(createSlot(j));
    state.status = s.triggerPrice !== null ? 'waiting_trigger' : 'running';
  }
  return state;
}

function buildRangeLadder(state: GridState): void {
  const s = state.settings;
  const lower = s.lowerPrice as number;
  const upper = s.upperPrice as number;
  const n = s.gridNum + 3;
  state.ladder.length = n;
  for (let i = 0; i < n; i++) {
    state.ladder[i] = roundPrice(state.market, rangeLevelPrice(lower, upper, s.gridNum, s.spacing, state.base - 1 + i));
  }
}

/** Price of level j (rounded to tick). */
export function gridLevelPrice(state: GridState, j: number): number {
  return levelPrice(state, j);
}

function levelPrice(state: GridState, j: number): number {
  if (state.settings.mode === 'adaptive') return state.ladder[j];
  const i = j - state.base + 1;
  if (i >= 0 && i < state.ladder.length) return state.ladder[i];
  const s = state.settings;
  return roundPrice(state.market, rangeLevelPrice(s.lowerPrice as number, s.upperPrice as number, s.gridNum, s.spacing, j));
}

function inWindow(state: GridState, j: number): boolean {
  return j >= state.base && j <= state.base + state.settings.gridNum;
}

// ------------------------------------------------------------------------------------------------
// sizing and orders
// ------------------------------------------------------------------------------------------------

function leverageOf(state: GridState): number {
  return state.market.type === 'perp' ? state.settings.leverage : 1;
}

/** Base amount for an entry at level j and price p (unfloored). */
function entryAmount(state: GridState, j: number, p: number): number {
  const s = state.settings;
  if (s.amountList) return (s.amountList[j - 1] * leverageOf(state)) / p;
  switch (s.sizingMode) {
    case 'base_per_grid':
      return s.basePerGrid as number;
    case 'quote_per_grid':
      return (s.quotePerGrid as number) / p;
    case 'total_investment':
      return (s.investment * leverageOf(state)) / s.gridNum / p;
  }
}

/** Total notional the grid may hold (the adaptive overbought cap, "sum(initial_capital)"). */
function maxNotional(state: GridState, price: number): number {
  const s = state.settings;
  if (s.amountList) return s.amountList.reduce((a, b) => a + b, 0) * leverageOf(state);
  switch (s.sizingMode) {
    case 'base_per_grid':
      return (s.basePerGrid as number) * s.gridNum * price;
    case 'quote_per_grid':
      return (s.quotePerGrid as number) * s.gridNum;
    case 'total_investment':
      return s.investment * leverageOf(state);
  }
}

function limitOrder(state: GridState, key: string, leg: GridLeg, opening: boolean, price: number, amount: number, tag: string): OrderIntent {
  const buy = leg === 'long' ? opening : !opening;
  return {
    action: 'place',
    key,
    type: 'limit',
    side: buy ? 'buy' : 'sell',
    positionSide: leg,
    amount,
    price,
    reduceOnly: !opening && state.market.type === 'perp',
    tag,
  };
}

/** Places the entry order of an idle slot. Returns false (slot stays idle, note set) if under minimums. */
function placeEntry(state: GridState, slot: GridSlot, leg: GridLeg, rawPrice: number, key: string, intents: Intent[]): boolean {
  const m = state.market;
  const price = leg === 'long' ? floorPrice(m, rawPrice) : ceilPrice(m, rawPrice);
  const amount = floorAmount(m, entryAmount(state, slot.j, price));
  if (!(price > 0) || !meetsMinimums(m, amount, price)) {
    if (slot.note !== 'below_minimums') state.metrics.belowMinimums++;
    slot.note = 'below_minimums';
    return false;
  }
  moveSlot(slot, 'open_order');
  slot.leg = leg;
  slot.openKey = key;
  slot.openPrice = price;
  slot.openAmount = amount;
  slot.note = null;
  intents.push(limitOrder(state, key, leg, true, price, amount, 'grid_open'));
  return true;
}

/** Take-profit price of a slot: range = the next level; adaptive = the original clamps (§3.5). */
function tpPrice(slot: GridSlot, grid: GridState): number {
  const avg = slot.cost / slot.filled;
  if (grid.settings.mode === 'range') return levelPrice(grid, slot.leg === 'long' ? slot.j + 1 : slot.j - 1);
  if (slot.leg === 'long') return Math.min(Math.max(avg * 1.004, grid.ladder[slot.j + 1]), avg * 1.08);
  return Math.max(Math.min(avg * 0.993, grid.ladder[slot.j - 1]), avg * 0.93);
}

/** Places the take-profit of a `filled` slot. Leaves it `filled` (note set) if under minimums. */
function placeTp(state: GridState, slot: GridSlot, key: string, intents: Intent[]): void {
  if (slot.rejects >= MAX_REJECTS) return;
  const m = state.market;
  const held = slotHeld(slot);
  const amount = floorAmount(m, held);
  const raw = tpPrice(slot, state);
  const price = slot.leg === 'long' ? ceilPrice(m, raw) : floorPrice(m, raw);
  if (!meetsMinimums(m, amount, price)) {
    slot.note = 'tp_below_minimums';
    return;
  }
  moveSlot(slot, 'closing_order');
  slot.closeKey = key;
  slot.closePrice = price;
  slot.note = null;
  intents.push(limitOrder(state, key, slot.leg, false, price, amount, 'grid_tp'));
}

/**
 * Key of an order caused by a fill (or a closed order). A fill of a decision order gives
 * `${fill.key}>${kind}:${level}`. A fill of an order that was itself fill-driven would grow the key
 * forever (tp → rearm → tp → ...), so chains keep the decision root and a state counter:
 * `${root}>${kind}:${level}:${seq}`. Deterministic (the counter is state), bounded, unique.
 */
function chainKey(state: GridState, cause: string, kind: string, j: number): string {
  const gt = cause.indexOf('>');
  if (gt < 0) return `${cause}>${kind}:${j}`;
  state.seq++;
  return `${cause.slice(0, gt)}>${kind}:${j}:${state.seq}`;
}

function retire(state: GridState, slot: GridSlot): void {
  if (slot.openKey === null) return;
  state.retired.push({ key: slot.openKey, j: slot.j, leg: slot.leg, price: slot.openPrice });
  if (state.retired.length > MAX_RETIRED) state.retired.shift();
}

/** Cancels a slot's entry order: back to idle, or to filled when part of it filled. */
function cancelEntry(state: GridState, slot: GridSlot, reason: string, intents: Intent[]): void {
  intents.push({ action: 'cancel', key: slot.openKey as string, reason });
  retire(state, slot);
  if (slot.filled > EPS) {
    moveSlot(slot, 'filled');
    slot.openKey = null;
  } else moveSlot(slot, 'idle');
}

function findSlot(state: GridState, j: number): GridSlot | null {
  const slots = state.slots;
  for (let i = 0; i < slots.length; i++) if (slots[i].j === j) return slots[i];
  return null;
}

// ------------------------------------------------------------------------------------------------
// positions
// ------------------------------------------------------------------------------------------------

/** Applies any fill to the long/short leg (buy adds to long, sell reduces it; mirror for short). Returns realised PnL. */
function applyPosition(state: GridState, fill: Fill): number {
  const leg = fill.positionSide === 'long' ? state.long : state.short;
  const adds = (fill.positionSide === 'long') === (fill.side === 'buy');
  state.metrics.fees += fill.fee;
  let pnl = -fill.fee;
  if (adds) {
    const q = leg.qty + fill.amount;
    leg.avg = q > 0 ? (leg.avg * leg.qty + fill.price * fill.amount) / q : 0;
    leg.qty = q;
  } else {
    const amt = Math.min(fill.amount, leg.qty);
    pnl += fill.positionSide === 'long' ? (fill.price - leg.avg) * amt : (leg.avg - fill.price) * amt;
    leg.qty -= amt;
    if (leg.qty <= EPS) {
      leg.qty = 0;
      leg.avg = 0;
    }
  }
  state.metrics.realizedPnl += pnl;
  return pnl;
}

/** Tag of the market closes of a stop, so the trade's exit reason reads what stopped the grid. */
function closeTagFor(reason: string | null): string {
  switch (reason ?? '') {
    case 'stop_loss':
    case 'stop_loss_price':
    case LIQUIDATION_TAG:
      return 'grid_sl';
    case 'manual_stop_loss':
      return 'grid_sl';
    case 'take_profit_price':
    case 'manual_take_profit':
      return 'grid_tp';
    case 'time_stop':
      return 'time_stop';
    default:
      return 'grid_close';
  }
}

function marketClose(state: GridState, leg: GridLeg, key: string, intents: Intent[]): void {
  const pos = leg === 'long' ? state.long : state.short;
  const amount = floorAmount(state.market, pos.qty);
  if (!(amount > 0)) return;
  intents.push({
    action: 'place',
    key,
    type: 'market',
    side: leg === 'long' ? 'sell' : 'buy',
    positionSide: leg,
    amount,
    reduceOnly: state.market.type === 'perp',
    tag: closeTagFor(state.stopReason),
  });
  state.closeKeys.push(key);
}

/** Cancels every order, market-closes both legs and stops the grid. */
function closeAll(state: GridState, candleTime: number, reason: string, intents: Intent[]): void {
  cancelAllSlots(state, reason, intents);
  state.status = 'stopped';
  state.stopReason = reason;
  const p = `${state.botId}:${candleTime}:close:`;
  marketClose(state, 'long', `${p}0`, intents);
  marketClose(state, 'short', `${p}1`, intents);
}

/** closeAll caused by a fill (keys `${fill.key}>close:0|1`, see chainKey). */
function closeAllCaused(state: GridState, cause: string, reason: string, intents: Intent[]): void {
  cancelAllSlots(state, reason, intents);
  state.status = 'stopped';
  state.stopReason = reason;
  marketClose(state, 'long', chainKey(state, cause, 'close', 0), intents);
  marketClose(state, 'short', chainKey(state, cause, 'close', 1), intents);
}

function cancelAllSlots(state: GridState, reason: string, intents: Intent[]): void {
  for (const slot of state.slots) {
    if (slot.st === 'open_order') cancelEntry(state, slot, reason, intents);
    if (slot.st === 'closing_order') {
      intents.push({ action: 'cancel', key: slot.closeKey as string, reason });
      moveSlot(slot, 'done');
    } else if (slot.st === 'filled') moveSlot(slot, 'done');
    if (slot.st === 'done') moveSlot(slot, 'idle');
  }
}

// ------------------------------------------------------------------------------------------------
// decide
// ------------------------------------------------------------------------------------------------

const mamaOut: MamaFamaValue = { mama: NaN, fama: NaN };

/** Updates the adaptive indicators with a closed chart candle; returns true once the ladder is usable. */
function updateAdaptive(state: GridState, c: Candle): boolean {
  const ind = state.ind as AdaptiveIndicators;
  const mf = updateMamaFama(ind.mama, c.close, mamaOut);
  const atr = updateAtr(ind.atr, c.high, c.low, c.close);
  if (ind.resample === null) {
    state.regime = updateRegime(ind.regime, c.high, c.low, c.close);
  } else {
    // the allocation-free resampler core: the completed 4h bars (0, 1 or 2, oldest first) in rs.done
    const rs = ind.resample;
    const n = stepResample(rs, c.time, c.open, c.high, c.low, c.close, c.volume);
    for (let k = 0; k < n; k++) {
      const bar = rs.done[k];
      state.regime = updateRegime(ind.regime, bar.high, bar.low, bar.close);
    }
  }
  const ok = updateAdaptiveLevels(ind.levels, mf.fama, atr, ind.columns);
  if (!ok) return false;
  expandAdaptiveLadder(ind.columns, state.settings.gridNum, state.ladder);
  if (ind.warmup > 0) ind.warmup--;
  return ind.warmup === 0;
}

function touched(trigger: number, c: Candle, prevClose: number | null): boolean {
  const lo = prevClose !== null ? Math.min(c.low, prevClose) : c.low;
  const hi = prevClose !== null ? Math.max(c.high, prevClose) : c.high;
  return lo <= trigger && trigger <= hi;
}

/** Exit checks on the closed candle; returns the stop reason or null. */
function exitReason(state: GridState, c: Candle, closeTime: number): string | null {
  const s = state.settings;
  const manual = state.manual;
  if (manual !== undefined) {
    // the trader's prices act on the closed candle exactly as the settings' stop/take-profit prices do
    if (manual.sl !== null && (manual.sl.side === 'short' ? c.high >= manual.sl.price : c.low <= manual.sl.price)) return 'manual_stop_loss';
    if (manual.tp !== null && (manual.tp.side === 'short' ? c.low <= manual.tp.price : c.high >= manual.tp.price)) return 'manual_take_profit';
  }
  if (s.mode === 'range') {
    const short = s.direction === 'short';
    if (s.stopLossPrice !== null && (short ? c.high >= s.stopLossPrice : c.low <= s.stopLossPrice)) return 'stop_loss_price';
    if (s.takeProfitPrice !== null && (short ? c.low <= s.takeProfitPrice : c.high >= s.takeProfitPrice)) return 'take_profit_price';
  }
  if (s.stopLossPct !== null) {
    const lim = -s.stopLossPct;
    const L = state.long;
    const S = state.short;
    if (L.qty > 0 && ((c.close - L.avg) / L.avg) * 100 < lim) return 'stop_loss';
    if (S.qty > 0 && ((S.avg - c.close) / S.avg) * 100 < lim) return 'stop_loss';
  }
  if (s.customStopMinutes !== null) {
    const ref = state.lastEntryTime ?? (state.startTime as number);
    if (closeTime - ref >= s.customStopMinutes * 60_000) return 'time_stop';
  }
  return null;
}

/** Bybit trailing: one interval beyond the range → cancel the far entry and shift the window one grid. */
function trail(state: GridState, close: number, intents: Intent[]): void {
  const s = state.settings;
  const N = s.gridNum;
  let shifted = false;
  for (let guard = 0; guard < N; guard++) {
    let up: boolean;
    if (s.trailingUp && close >= levelPrice(state, state.base + N + 1)) up = true;
    else if (s.trailingDown && close <= levelPrice(state, state.base - 1)) up = false;
    else break;
    if (up && s.trailingUpLimit !== null && levelPrice(state, state.base + N + 1) > s.trailingUpLimit) break;
    if (!up && s.trailingDownLimit !== null && levelPrice(state, state.base - 1) < s.trailingDownLimit) break;
    if (!up && !(levelPrice(state, state.base - 1) > 0)) break;
    if (state.slots.length >= 3 * (N + 1)) break; // too many levels still holding positions outside the window
    const dropJ = up ? state.base : state.base + N;
    const drop = findSlot(state, dropJ);
    if (drop && drop.st === 'open_order') cancelEntry(state, drop, up ? 'trailing_up' : 'trailing_down', intents);
    if (drop && drop.st === 'idle') state.slots.splice(state.slots.indexOf(drop), 1);
    state.base += up ? 1 : -1;
    const addJ = up ? state.base + N : state.base;
    if (!findSlot(state, addJ)) {
      if (up) state.slots.push(createSlot(addJ));
      else state.slots.unshift(createSlot(addJ));
    }
    state.metrics.trailingShifts++;
    shifted = true;
    buildRangeLadder(state);
  }
  if (shifted) state.slots.sort((a, b) => a.j - b.j);
}

interface Candidate {
  slot: GridSlot;
  leg: GridLeg;
  price: number;
  dist: number;
  live: boolean;
}

/**
 * Scratch pool for the maxOpenOrders ranking (reused across calls: no allocation per candle). Safe for many bots in
 * one process: filled and read within one synchronous sync() call, never kept across calls
 * (libs/backtest/src/engine/scenarios/many-bots-one-process.spec.ts interleaves two grids and compares).
 */
const pool: Candidate[] = [];
let poolSize = 0;

function pushCandidate(slot: GridSlot, leg: GridLeg, price: number, dist: number, live: boolean): void {
  let c = pool[poolSize];
  if (c === undefined) {
    c = { slot, leg, price, dist, live };
    pool.push(c);
  } else {
    c.slot = slot;
    c.leg = leg;
    c.price = price;
    c.dist = dist;
    c.live = live;
  }
  poolSize++;
}

const ranked: Candidate[] = [];

/**
 * Orders pool[0..poolSize) nearest-first into `ranked` (ties: lower level first). The pool is filled in level
 * order, so with monotonic level prices the distances are V-shaped and a two-pointer merge from the nearest
 * level outward ranks them in O(n) without allocating; otherwise (pulled-in adaptive prices) it falls back to
 * an insertion sort.
 */
function rankPool(): void {
  ranked.length = poolSize;
  let m = 0;
  for (let i = 1; i < poolSize; i++) if (pool[i].dist < pool[m].dist) m = i;
  let vShaped = true;
  for (let i = 1; i <= m && vShaped; i++) if (pool[i].dist > pool[i - 1].dist) vShaped = false;
  for (let i = m + 1; i < poolSize && vShaped; i++) if (pool[i].dist < pool[i - 1].dist) vShaped = false;
  if (vShaped) {
    let l = m - 1;
    let r = m + 1;
    ranked[0] = pool[m];
    for (let k = 1; k < poolSize; k++) {
      if (r >= poolSize || (l >= 0 && pool[l].dist <= pool[r].dist)) ranked[k] = pool[l--];
      else ranked[k] = pool[r++];
    }
    return;
  }
  for (let i = 0; i < poolSize; i++) {
    const c = pool[i];
    let k = i - 1;
    while (k >= 0 && (ranked[k].dist > c.dist || (ranked[k].dist === c.dist && ranked[k].slot.j > c.slot.j))) {
      ranked[k + 1] = ranked[k];
      k--;
    }
    ranked[k + 1] = c;
  }
}

/**
 * Whether the grid trades both legs as one net position: the original's long-short (adaptive mode,
 * docs/adr/0015). A range-mode neutral grid keeps its two independent legs.
 */
function nets(state: GridState): boolean {
  return state.settings.mode === 'adaptive' && state.settings.direction !== 'long' && state.settings.direction !== 'short';
}

/**
 * The original's arming (docs/adr/0015): of the `nearestLevels` levels nearest the close, the (up to) 2 nearest
 * below the price each arm a buy one level lower (slot j − 1) and the 2 nearest above each arm a sell one level
 * higher (slot j + 1). Returns the armed slots packed as [long1, long2, short1, short2] in `out` (−1 = none).
 *
 * "Nearest" is the distance rank among levels 1..n (0 = nearest; ties: the lower level first,
 * docs/adr/0015-grid-placement-as-the-original.md): a candidate is armed when fewer than `nearest` levels come
 * before it. Two passes over the levels, no allocation: the first finds the four candidates, the second counts, for
 * each of them at once, the levels that come before it (each distance computed once per candle).
 */
function armedSlots(state: GridState, close: number, nearest: number, out: [number, number, number, number]): void {
  const L = state.ladder;
  const n = state.settings.gridNum;
  let b1 = -1;
  let b2 = -1;
  let a1 = -1;
  let a2 = -1;
  for (let j = 1; j <= n; j++) {
    const p = L[j];
    if (p < close) {
      if (b1 < 0 || p > L[b1]) {
        b2 = b1;
        b1 = j;
      } else if (b2 < 0 || p > L[b2]) b2 = j;
    } else if (p > close) {
      if (a1 < 0 || p < L[a1]) {
        a2 = a1;
        a1 = j;
      } else if (a2 < 0 || p < L[a2]) a2 = j;
    }
  }
  // the candidates that can arm a slot (the level below the lowest / above the highest has no slot)
  const cb1 = b1 > 1 ? b1 : 0;
  const cb2 = b2 > 1 ? b2 : 0;
  const ca1 = a1 > 0 && a1 < n ? a1 : 0;
  const ca2 = a2 > 0 && a2 < n ? a2 : 0;
  // each candidate's distance (the same expression as every other level's: Math.abs(level − close))
  const db1 = cb1 > 0 ? Math.abs(L[cb1] - close) : 0;
  const db2 = cb2 > 0 ? Math.abs(L[cb2] - close) : 0;
  const da1 = ca1 > 0 ? Math.abs(L[ca1] - close) : 0;
  const da2 = ca2 > 0 ? Math.abs(L[ca2] - close) : 0;
  let rb1 = 0;
  let rb2 = 0;
  let ra1 = 0;
  let ra2 = 0;
  if (cb1 + cb2 + ca1 + ca2 > 0) {
    for (let k = 1; k <= n; k++) {
      const dk = Math.abs(L[k] - close);
      // k comes before candidate c when nearer, or as near and lower (c itself never counts: dk === d, k === c)
      if (cb1 > 0 && (dk < db1 || (dk === db1 && k < cb1))) rb1++;
      if (cb2 > 0 && (dk < db2 || (dk === db2 && k < cb2))) rb2++;
      if (ca1 > 0 && (dk < da1 || (dk === da1 && k < ca1))) ra1++;
      if (ca2 > 0 && (dk < da2 || (dk === da2 && k < ca2))) ra2++;
    }
  }
  out[0] = cb1 > 0 && rb1 < nearest ? cb1 - 1 : -1;
  out[1] = cb2 > 0 && rb2 < nearest ? cb2 - 1 : -1;
  out[2] = ca1 > 0 && ra1 < nearest ? ca1 + 1 : -1;
  out[3] = ca2 > 0 && ra2 < nearest ? ca2 + 1 : -1;
}

/**
 * One sync() pass's view of the candle: what may be entered where. Reused, like `pool` (written in full at the start
 * of every sync call by `beginPass`, read only within it), so a candle allocates nothing for it.
 */
interface SyncPass {
  close: number;
  time: number;
  adaptive: boolean;
  allowLong: boolean;
  allowShort: boolean;
  /** no new entry on that leg this candle (net position on the other side, regime, overbought/oversold) */
  blockLong: boolean;
  blockShort: boolean;
  /** the original's nearest-level arming (adaptive): the armed slots as [long1, long2, short1, short2], −1 = none */
  nearest: boolean;
  readonly arm: [number, number, number, number];
  minArmL: number;
  maxArmS: number;
  top: number;
  bottom: number;
  reprice: number;
  /** decision keys' prefix, built only when an order is placed (a 13-digit time to string on every candle is not free) */
  prefix: string | null;
}

const pass: SyncPass = {
  close: 0.5,
  time: 0,
  adaptive: false,
  allowLong: false,
  allowShort: false,
  blockLong: false,
  blockShort: false,
  nearest: false,
  arm: [-1, -1, -1, -1],
  minArmL: -1,
  maxArmS: -1,
  top: 0,
  bottom: 0,
  reprice: 0.5,
  prefix: null,
};

function beginPass(state: GridState, c: Candle): SyncPass {
  const s = state.settings;
  const p = pass;
  const close = c.close;
  const adaptive = s.mode === 'adaptive';
  p.close = close;
  p.time = c.time;
  p.prefix = null;
  p.adaptive = adaptive;
  p.allowLong = s.direction !== 'short';
  p.allowShort = s.direction !== 'long';
  let blockLong = false;
  let blockShort = false;
  if (nets(state)) {
    // one net position: no long is opened while short (its buys are the shorts' take-profits), and the mirror
    if (state.short.qty > EPS) blockLong = true;
    if (state.long.qty > EPS) blockShort = true;
  }
  const arm = p.arm;
  const nearest = adaptive && s.nearestLevels !== null;
  p.nearest = nearest;
  if (nearest) armedSlots(state, close, s.nearestLevels as number, arm);
  else arm.fill(-1);
  p.minArmL = arm[0] < 0 ? arm[1] : arm[1] < 0 ? arm[0] : Math.min(arm[0], arm[1]);
  p.maxArmS = Math.max(arm[2], arm[3]);
  if (adaptive) {
    if (s.useRegimeFilter) {
      if (state.regime === -2) blockLong = true;
      if (state.regime === 2) blockShort = true;
    }
    const cap = (0.95 * maxNotional(state, close)) / close;
    if (state.long.qty > cap) blockLong = true; // overbought
    if (state.short.qty > cap) blockShort = true; // oversold (the original computed it but never checked it)
  }
  p.blockLong = blockLong;
  p.blockShort = blockShort;
  p.top = adaptive ? s.gridNum : state.base + s.gridNum;
  p.bottom = adaptive ? 1 : state.base;
  p.reprice = s.repricePct / 100;
  return p;
}

/** `<bot>:<candle time>:<kind>:<level>`, the deterministic key of an order this pass places. */
function passKey(state: GridState, p: SyncPass, kind: 'tp' | 'open', j: number): string {
  return `${(p.prefix ??= `${state.botId}:${p.time}:`)}${kind}:${j}`;
}

/** The leg slot j would trade this candle (its live entry's, else by arming or by side of the price), or null. */
function slotLeg(p: SyncPass, slot: GridSlot, lvl: number): GridLeg | null {
  if (slot.st === 'open_order') return slot.leg;
  const j = slot.j;
  if (p.nearest) {
    if (p.allowLong && (j === p.arm[0] || j === p.arm[1])) return 'long';
    if (p.allowShort && (j === p.arm[2] || j === p.arm[3])) return 'short';
    return null;
  }
  if (lvl < p.close && p.allowLong && (p.adaptive || j < p.top)) return 'long';
  if (lvl > p.close && p.allowShort && (p.adaptive || j > p.bottom)) return 'short';
  return null;
}

/**
 * Adaptive mode, a live entry: canceled when its level is no longer eligible or no longer among the nearest (then
 * false: the slot is done this candle); canceled for a reprice when the price moved more than repricePct and the tick
 * can express it (true: a candidate again, at the new price).
 */
function reviewLiveEntry(state: GridState, p: SyncPass, slot: GridSlot, leg: GridLeg, lvl: number, price: number, intents: Intent[]): boolean {
  const j = slot.j;
  const close = p.close;
  const arm = p.arm;
  const eligible = leg === 'long' ? lvl < close && !p.blockLong : lvl > close && !p.blockShort;
  // nearest mode: an entry stays while it is armed or nearer the price than the armed ones
  const near =
    !p.nearest || (leg === 'long' ? j === arm[0] || j === arm[1] || (p.minArmL > 0 && j > p.minArmL) : j === arm[2] || j === arm[3] || (p.maxArmS > 0 && j < p.maxArmS));
  if (!eligible || !near) {
    cancelEntry(state, slot, eligible ? 'not_nearest' : 'level_ineligible', intents);
    if ((slot.st as SlotStatus) === 'filled') placeTp(state, slot, passKey(state, p, 'tp', j), intents);
    return false;
  }
  if (slot.filled <= EPS && Math.abs(price - slot.openPrice) > p.reprice * slot.openPrice) {
    // no churn for a move the tick cannot express: the new order must have another price
    const m = state.market;
    const next = leg === 'long' ? floorPrice(m, price) : ceilPrice(m, price);
    if (next !== slot.openPrice) cancelEntry(state, slot, 'reprice', intents);
    // falls through as a candidate for a new order at the new price
  }
  return true;
}

/** maxOpenOrders: take-profits are always kept; entry orders go to the pooled candidates nearest the price. */
function placeNearest(state: GridState, p: SyncPass, budget: number, intents: Intent[]): void {
  rankPool();
  for (let i = 0; i < poolSize; i++) {
    const cd = ranked[i];
    if (budget > 0) {
      if (cd.live) budget--;
      else if (placeEntry(state, cd.slot, cd.leg, cd.price, passKey(state, p, 'open', cd.slot.j), intents)) budget--;
    } else if (cd.live) {
      cancelEntry(state, cd.slot, 'max_open_orders', intents);
      if (cd.slot.st === 'filled') placeTp(state, cd.slot, passKey(state, p, 'tp', cd.slot.j), intents);
    }
  }
}

/** Places take-profits, entries, and cancels what must go (adaptive drift, regime, nearest levels, maxOpenOrders). */
function sync(state: GridState, c: Candle, intents: Intent[]): void {
  const s = state.settings;
  const p = beginPass(state, c);
  const close = p.close;
  const adaptive = p.adaptive;
  const bottom = p.bottom;
  const top = p.top;
  let closing = 0;
  poolSize = 0;
  const slots = state.slots;
  const ladder = state.ladder;
  const arm = p.arm;
  const nearest = p.nearest;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    let st = slot.st;
    if (st === 'filled') {
      placeTp(state, slot, passKey(state, p, 'tp', slot.j), intents);
      st = slot.st;
    }
    if (st === 'closing_order') {
      closing++;
      continue;
    }
    const idle = st === 'idle';
    if (!idle && st !== 'open_order') continue;
    const j = slot.j;
    if (j < bottom || j > top) continue;
    // nearest mode: an idle level that is not armed gets no order (most levels on most candles)
    if (idle && nearest && j !== arm[0] && j !== arm[1] && j !== arm[2] && j !== arm[3]) continue;
    const lvl = adaptive ? ladder[j] : levelPrice(state, j);
    const leg = slotLeg(p, slot, lvl);
    if (leg === null) continue;
    let price = lvl;
    if (adaptive) {
      if (leg === 'long' && price < 0.9 * close) price = (price + close) / 2;
      if (leg === 'short' && price > 1.1 * close) price = (price + close) / 2;
      if (slot.st === 'open_order' && !reviewLiveEntry(state, p, slot, leg, lvl, price, intents)) continue;
    }
    if (slot.st === 'idle') {
      if (slot.rejects >= MAX_REJECTS) continue;
      if (leg === 'long' ? p.blockLong : p.blockShort) continue;
      if (p.nearest && slot.leg !== leg) slot.leg = leg;
    }
    const live = slot.st === 'open_order';
    if (s.maxOpenOrders === null) {
      if (!live) placeEntry(state, slot, leg, price, passKey(state, p, 'open', j), intents);
      continue;
    }
    pushCandidate(slot, leg, price, Math.abs(price - close), live);
  }
  if (s.maxOpenOrders === null || poolSize === 0) return;
  placeNearest(state, p, s.maxOpenOrders - closing, intents);
}

function liveOrders(state: GridState): number {
  let n = 0;
  for (const slot of state.slots) if (slot.st === 'open_order' || slot.st === 'closing_order') n++;
  return n;
}

function decide(state: GridState, c: Candle, market: MarketSpec): StrategyResult<GridState> {
  const intents: Intent[] = [];
  if (state.lastCandleTime !== null && c.time <= state.lastCandleTime) return { state, intents };
  const m = state.market;
  if (
    m.tickSize !== market.tickSize ||
    m.amountStep !== market.amountStep ||
    m.minAmount !== market.minAmount ||
    m.minNotional !== market.minNotional
  ) {
    state.market = { ...market };
    if (state.settings.mode === 'range') buildRangeLadder(state);
  }
  const closeTime = c.time + timeframeMs(state.timeframe);
  const prevClose = state.lastClose;
  state.lastCandleTime = c.time;
  state.lastClose = c.close;
  if (state.startTime === null) state.startTime = closeTime;
  const L = state.long;
  const S = state.short;
  state.metrics.unrealizedPnl = (c.close - L.avg) * L.qty + (S.avg - c.close) * S.qty;

  if (state.settings.mode === 'adaptive') {
    const ready = updateAdaptive(state, c);
    if (state.status === 'warming_up') {
      if (!ready) return { state, intents };
      state.status = 'running';
      state.startTime = closeTime;
    }
  }
  if (state.status === 'stopped') {
    // a close that was rejected or cancelled: try again
    if (state.closeKeys.length === 0) {
      const p = `${state.botId}:${c.time}:close:`;
      marketClose(state, 'long', `${p}0`, intents);
      marketClose(state, 'short', `${p}1`, intents);
    }
    return { state, intents };
  }
  if (state.status === 'waiting_trigger') {
    if (!touched(state.settings.triggerPrice as number, c, prevClose)) return { state, intents };
    state.status = 'running';
    state.startTime = closeTime;
  }
  const reason = exitReason(state, c, closeTime);
  if (reason !== null) {
    closeAll(state, c.time, reason, intents);
    return { state, intents };
  }
  if (state.settings.mode === 'range' && (state.settings.trailingUp || state.settings.trailingDown)) trail(state, c.close, intents);
  sync(state, c, intents);
  return { state, intents };
}

// ------------------------------------------------------------------------------------------------
// fills and closed orders
// ------------------------------------------------------------------------------------------------

function onEntryFill(state: GridState, slot: GridSlot, fill: Fill, intents: Intent[]): void {
  slot.filled += fill.amount;
  slot.cost += fill.amount * fill.price;
  slot.fees += fill.fee;
  slot.rejects = 0;
  state.lastEntryTime = fill.time;
  state.metrics.entries++;
  if (fill.remaining > EPS) return;
  moveSlot(slot, 'filled');
  slot.openKey = null;
  if (state.status !== 'running') {
    // the grid stopped while this order was resting: close what it bought
    moveSlot(slot, 'done');
    moveSlot(slot, 'idle');
    marketClose(state, fill.positionSide, chainKey(state, fill.key, 'close', slot.j), intents);
    return;
  }
  placeTp(state, slot, chainKey(state, fill.key, 'tp', slot.j), intents);
  if (nets(state)) cancelOpposite(state, slot.leg, intents);
  if (state.settings.mode === 'adaptive') rearmAdaptive(state, slot, fill, intents);
}

/** Netting: once a leg holds a position, the other leg's resting entries go (they would open the opposite side). */
function cancelOpposite(state: GridState, leg: GridLeg, intents: Intent[]): void {
  for (const slot of state.slots) {
    if (slot.st === 'open_order' && slot.leg !== leg && slot.filled <= EPS) cancelEntry(state, slot, 'netting', intents);
  }
}

/** The original's re-arm (§3.5): long → a new buy one level down at min(level_{i−1}, fill·0.995); short mirror. */
function rearmAdaptive(state: GridState, filled: GridSlot, fill: Fill, intents: Intent[]): void {
  const s = state.settings;
  const long = filled.leg === 'long';
  const j = long ? filled.j - 1 : filled.j + 1;
  if (j < 1 || j > s.gridNum) return;
  const slot = findSlot(state, j);
  if (!slot || slot.st !== 'idle' || slot.rejects >= MAX_REJECTS) return;
  // the original re-arms without consulting the regime (docs/adr/0015); netting still holds: no long while short
  if (nets(state) && (long ? state.short.qty : state.long.qty) > EPS) return;
  if (s.maxOpenOrders !== null && liveOrders(state) >= s.maxOpenOrders) return;
  const price = long ? Math.min(state.ladder[j], fill.price * 0.995) : Math.max(state.ladder[j], fill.price * 1.005);
  placeEntry(state, slot, filled.leg, price, chainKey(state, fill.key, 'rearm', j), intents);
}

function onTpFill(state: GridState, slot: GridSlot, fill: Fill, intents: Intent[]): void {
  slot.closed += fill.amount;
  slot.proceeds += fill.amount * fill.price;
  slot.fees += fill.fee;
  if (fill.remaining > EPS) return;
  slot.closeKey = null;
  if (slotHeld(slot) > EPS && floorAmount(state.market, slotHeld(slot)) > 0) {
    moveSlot(slot, 'filled'); // the TP covered less than held (should not happen): re-place next candle
    return;
  }
  moveSlot(slot, 'done');
  const profit = (slot.leg === 'long' ? slot.proceeds - slot.cost : slot.cost - slot.proceeds) - slot.fees;
  state.metrics.matchedPairs++;
  state.metrics.gridProfit += profit;
  const { j, leg, openPrice } = slot;
  moveSlot(slot, 'idle');
  slot.rejects = 0;
  // range: re-arm the level at once (the price just left it by one grid, so the order rests)
  if (state.settings.mode !== 'range' || state.status !== 'running' || !inWindow(state, j)) return;
  const s = state.settings;
  if (s.maxOpenOrders !== null && liveOrders(state) >= s.maxOpenOrders) return;
  placeEntry(state, slot, leg, openPrice || levelPrice(state, j), chainKey(state, fill.key, 'rearm', j), intents);
}

function onOrphanFill(state: GridState, r: RetiredOrder, fill: Fill, intents: Intent[]): void {
  const slot = findSlot(state, r.j);
  if (slot && slot.st === 'open_order' && slot.filled <= EPS && slot.leg === r.leg) {
    intents.push({ action: 'cancel', key: slot.openKey as string, reason: 'level_filled_by_previous_order' });
    retire(state, slot);
    slot.openKey = fill.key;
    slot.openPrice = r.price;
  } else if (slot && slot.st === 'idle') {
    moveSlot(slot, 'open_order');
    slot.leg = r.leg;
    slot.openKey = fill.key;
    slot.openPrice = r.price;
    slot.openAmount = fill.amount + fill.remaining;
  } else {
    state.metrics.unmanagedFills++;
    if (state.status === 'stopped') marketClose(state, fill.positionSide, chainKey(state, fill.key, 'close', r.j), intents);
    return;
  }
  onEntryFill(state, slot, fill, intents);
}

function onFill(state: GridState, fill: Fill): StrategyResult<GridState> {
  const intents: Intent[] = [];
  applyPosition(state, fill);
  const ck = state.closeKeys.indexOf(fill.key);
  if (ck >= 0) {
    if (fill.remaining <= EPS) state.closeKeys.splice(ck, 1);
    return { state, intents };
  }
  for (const slot of state.slots) {
    if (slot.openKey === fill.key && slot.st === 'open_order') {
      onEntryFill(state, slot, fill, intents);
      return { state, intents };
    }
    if (slot.closeKey === fill.key && slot.st === 'closing_order') {
      onTpFill(state, slot, fill, intents);
      return { state, intents };
    }
  }
  const ri = state.retired.findIndex((r) => r.key === fill.key);
  if (ri >= 0) {
    const r = state.retired[ri];
    if (fill.remaining <= EPS) state.retired.splice(ri, 1);
    onOrphanFill(state, r, fill, intents);
    return { state, intents };
  }
  if (fill.tag === LIQUIDATION_TAG) {
    onLiquidation(state, fill, intents);
    return { state, intents };
  }
  state.metrics.unmanagedFills++;
  return { state, intents };
}

/**
 * A forced close by the exchange (a key the grid never placed, tag 'liquidation'). applyPosition has already
 * taken the leg's position away (its realised loss included); the grid then stops exactly as on a stop-loss:
 * every level is reset without a pair being counted (the levels of the liquidated leg hold nothing any more),
 * every order is canceled and the other leg is market-closed, with stopReason 'liquidation'. Exchange grid
 * bots end the same way. The engine's key is not ours, so the close orders are keyed
 * `${botId}:${fill.time}:liquidation>close:0|1` (bot id + time, like a decision key).
 */
function onLiquidation(state: GridState, fill: Fill, intents: Intent[]): void {
  state.metrics.liquidations++;
  if (fill.remaining <= EPS) {
    const pos = fill.positionSide === 'long' ? state.long : state.short;
    pos.qty = 0; // the exchange says the leg is gone; our book of it can only differ by dust
    pos.avg = 0;
  }
  if (state.status === 'stopped') {
    cancelAllSlots(state, LIQUIDATION_TAG, intents);
    return;
  }
  closeAllCaused(state, `${state.botId}:${fill.time}:${LIQUIDATION_TAG}`, LIQUIDATION_TAG, intents);
}

function onOrderClosed(state: GridState, ev: OrderClosedEvent): StrategyResult<GridState> {
  const intents: Intent[] = [];
  const ck = state.closeKeys.indexOf(ev.key);
  if (ck >= 0) {
    state.closeKeys.splice(ck, 1); // decide() retries the close while the grid is stopped
    return { state, intents };
  }
  for (const slot of state.slots) {
    if (slot.openKey === ev.key && slot.st === 'open_order') {
      if (ev.status === 'rejected') {
        slot.rejects++;
        slot.note = `rejected: ${ev.reason ?? 'unknown'}`;
      }
      if (slot.filled > EPS) {
        moveSlot(slot, 'filled');
        slot.openKey = null;
        if (state.status === 'running') placeTp(state, slot, chainKey(state, ev.key, 'tp', slot.j), intents);
      } else {
        const note = slot.note;
        moveSlot(slot, 'idle');
        slot.note = note;
      }
      return { state, intents };
    }
    if (slot.closeKey === ev.key && slot.st === 'closing_order') {
      if (ev.status === 'rejected') {
        slot.rejects++;
        slot.note = `tp rejected: ${ev.reason ?? 'unknown'}`;
      }
      moveSlot(slot, 'filled'); // the next decide re-places the take-profit
      slot.closeKey = null;
      return { state, intents };
    }
  }
  // the first retired entry with this key (a plain loop: no closure per closed order)
  const retired = state.retired;
  for (let i = 0; i < retired.length; i++) {
    if (retired[i].key === ev.key) {
      // splice(i, 1) without the array of removed elements it allocates
      for (let k = i + 1; k < retired.length; k++) retired[k - 1] = retired[k];
      retired.pop();
      break;
    }
  }
  return { state, intents };
}

// ------------------------------------------------------------------------------------------------
// adjust: a settings change on a running grid
// ------------------------------------------------------------------------------------------------

function legAllowed(s: GridSettings, leg: GridLeg): boolean {
  return s.direction === 'neutral' || s.direction === leg;
}

/**
 * A settings change on a running grid (range, count, investment, direction; docs/adr/0019-grid-controls-and-stats.md):
 * only what changed is cancelled. A resting entry stays when its level is still in the grid at the same price, with
 * the same amount, on a leg the direction still trades; otherwise it is cancelled and the next candle places the
 * level's new order (a paused or stale bot's placements expire as usual). Levels holding a position keep their
 * take-profit; their re-arm goes to the level's new price. New levels start idle; idle levels outside the grid go.
 * The mode cannot change on a running grid.
 */
function onSettings(state: GridState, next: GridSettings): StrategyResult<GridState> {
  const intents: Intent[] = [];
  const prev = state.settings;
  if (next.mode !== prev.mode) throw new StrategySettingsError([{ field: 'mode', message: 'the mode of a running grid cannot change; stop it and create a new bot' }]);
  if (state.market.type === 'spot' && next.direction !== 'long') {
    throw new StrategySettingsError([{ field: 'direction', message: `a ${next.direction} grid needs a perpetual market; ${state.market.symbol} is spot` }]);
  }
  const oldPrice = new Map<number, number>();
  for (const slot of state.slots) oldPrice.set(slot.j, levelPrice(state, slot.j));
  (state as { settings: GridSettings }).settings = next;
  const range = next.mode === 'range';
  if (range) {
    buildRangeLadder(state);
    for (let i = 1; i < state.ladder.length; i++) {
      if (!(state.ladder[i] > state.ladder[i - 1]) || !(state.ladder[i - 1] > 0)) {
        throw new StrategySettingsError([{ field: 'gridNum', message: `levels collapse at tick size ${state.market.tickSize}: use fewer grids or a wider range` }]);
      }
    }
  } else if (state.ind !== null && state.status !== 'warming_up') expandAdaptiveLadder(state.ind.columns, next.gridNum, state.ladder);
  if (state.status === 'stopped') return { state, intents };
  const inGrid = (j: number) => (range ? inWindow(state, j) : j >= 1 && j <= next.gridNum);
  const m = state.market;
  for (const slot of state.slots) {
    const j = slot.j;
    if (slot.st === 'open_order') {
      const price = range ? (slot.leg === 'long' ? floorPrice(m, levelPrice(state, j)) : ceilPrice(m, levelPrice(state, j))) : slot.openPrice;
      const keep = inGrid(j) && legAllowed(next, slot.leg) && price === slot.openPrice && floorAmount(m, entryAmount(state, j, price)) === slot.openAmount;
      if (!keep) cancelEntry(state, slot, 'adjust', intents);
    } else if ((slot.st === 'filled' || slot.st === 'closing_order') && range && oldPrice.get(j) !== levelPrice(state, j)) {
      slot.openPrice = 0; // re-armed at the level's new price once its take-profit fills
    }
  }
  state.slots = state.slots.filter((slot) => slot.st !== 'idle' || inGrid(slot.j));
  const lo = range ? state.base : 1;
  const hi = range ? state.base + next.gridNum : next.gridNum;
  for (let j = lo; j <= hi; j++) if (!findSlot(state, j)) state.slots.push(createSlot(j));
  state.slots.sort((a, b) => a.j - b.j);
  return { state, intents };
}

// ------------------------------------------------------------------------------------------------
// trader commands (docs/adr/0018-trader-commands.md)
// ------------------------------------------------------------------------------------------------

/** A grid accepts a stop-loss / take-profit price for the whole grid and a close of everything. */
const GRID_COMMANDS: readonly StrategyCommandType[] = ['set_stop_loss', 'clear_stop_loss', 'set_take_profit', 'clear_take_profit', 'close_percent'];

function checkGridCommand(c: StrategyCommand): { field: string; message: string }[] {
  if (c.type === 'set_take_profit' && (c.prices.length !== 1 || c.sizes[0] !== 100)) {
    return [{ field: 'prices', message: 'a grid takes one take-profit price for the whole grid (sizes: [100])' }];
  }
  if (c.type === 'close_percent' && c.percent !== 100) return [{ field: 'percent', message: 'a grid closes all or nothing: percent must be 100' }];
  return [];
}

function onCommand(state: GridState, input: CommandInput): StrategyResult<GridState> {
  const intents: Intent[] = [];
  const c = input.command;
  const manual: GridManualStops = state.manual ?? { sl: null, tp: null };
  switch (c.type) {
    case 'set_stop_loss':
      manual.sl = { side: c.side, price: roundPrice(state.market, c.price) };
      break;
    case 'clear_stop_loss':
      manual.sl = null;
      break;
    case 'set_take_profit':
      manual.tp = { side: c.side, price: roundPrice(state.market, c.prices[0]) };
      break;
    case 'clear_take_profit':
      manual.tp = null;
      break;
    case 'close_percent':
      if (state.status !== 'stopped') closeAllCaused(state, `${state.botId}:cmd:${input.id}`, 'manual_close', intents);
      break;
    case 'skip_next_entry':
    case 'force_entry':
      break; // not accepted (parseCommandFor refuses them before they reach the bot)
  }
  if (manual.sl === null && manual.tp === null) delete state.manual;
  else state.manual = manual;
  return { state, intents };
}

/** Exchange-grid-bot statistics (docs/adr/0014): per-level round trips apart from the floating PnL. */
function stats(state: GridState): Record<string, number> {
  const m = state.metrics;
  return {
    grid_profit: m.gridProfit,
    matched_pairs: m.matchedPairs,
    floating_pnl: m.unrealizedPnl,
    realized_pnl: m.realizedPnl,
    entries: m.entries,
  };
}

export const gridStrategy: Strategy<GridSettings, GridState> = {
  name: 'grid',
  parseSettings: parseGridSettings,
  canonicalKeys: canonicalGridKeys,
  init: initGrid,
  decide,
  onFill,
  onOrderClosed,
  commands: GRID_COMMANDS,
  checkCommand: checkGridCommand,
  onCommand,
  stats,
  // a grid's position rarely goes flat: one trade per take-profit / stop fill
  tradesPerFill: true,
  onSettings,
};
