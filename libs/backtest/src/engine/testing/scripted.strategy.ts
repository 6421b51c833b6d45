import type { Candle, Fill, Intent, MarketSpec, OrderClosedEvent, OrderIntent, Strategy } from '@tb/strategies';

/** Test helper: a strategy whose decisions are scripted per candle index and per filled key. */
export interface Script {
  /** Intents to emit when candle `index` (0-based within the run) closes. */
  readonly onCandle?: (index: number, candle: Candle) => Intent[];
  /** Intents to emit when an order fills. */
  readonly onFill?: (fill: Fill) => Intent[];
  readonly onClosed?: (event: OrderClosedEvent) => Intent[];
}

export interface ScriptedState {
  index: number;
  fills: Fill[];
  closed: OrderClosedEvent[];
}

export function scriptedStrategy(script: Script): Strategy<Script, ScriptedState> {
  return {
    name: 'scripted',
    parseSettings: () => script,
    init: () => ({ index: 0, fills: [], closed: [] }),
    decide(state: ScriptedState, candle: Candle, _market: MarketSpec) {
      const intents = script.onCandle?.(state.index, candle) ?? [];
      state.index++;
      return { state, intents };
    },
    onFill(state: ScriptedState, fill: Fill) {
      state.fills.push(fill);
      return { state, intents: script.onFill?.(fill) ?? [] };
    },
    onOrderClosed(state: ScriptedState, event: OrderClosedEvent) {
      state.closed.push(event);
      return { state, intents: script.onClosed?.(event) ?? [] };
    },
  };
}

type Side = OrderIntent['side'];
type PSide = OrderIntent['positionSide'];

export const market = (key: string, side: Side, positionSide: PSide, amount: number, tag: string, reduceOnly = false): OrderIntent => ({
  action: 'place',
  key,
  type: 'market',
  side,
  positionSide,
  amount,
  reduceOnly,
  tag,
});

export const limit = (key: string, side: Side, positionSide: PSide, amount: number, price: number, tag: string, reduceOnly = false): OrderIntent => ({
  action: 'place',
  key,
  type: 'limit',
  side,
  positionSide,
  amount,
  price,
  reduceOnly,
  tag,
});

export const stop = (key: string, side: Side, positionSide: PSide, amount: number, triggerPrice: number, tag: string): OrderIntent => ({
  action: 'place',
  key,
  type: 'stop_market',
  side,
  positionSide,
  amount,
  triggerPrice,
  reduceOnly: true,
  tag,
});

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Hourly candles from [open, high, low, close] rows starting at T0. */
export function bars(rows: ReadonlyArray<readonly [number, number, number, number]>, start = T0): Candle[] {
  return rows.map(([open, high, low, close], i) => ({ time: start + i * HOUR, open, high, low, close, volume: 1 }));
}

export const SPOT: MarketSpec = { symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 1 };
export const PERP: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 1 };
