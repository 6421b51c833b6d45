import type { FillEvent } from '@tb/matching';
import { TradeTracker, type TradeRecord } from '@tb/backtest';
import type { OrderSide, PositionSide } from '@tb/strategies';
import { foldSideFill, increasesSide, type SideBook } from './side-book';

/** One execution of a bot's order, as recorded by the OMS (decimal strings parsed once). */
export interface BotFillView {
  readonly key: string;
  readonly tag: string;
  readonly side: OrderSide;
  readonly positionSide: PositionSide;
  readonly amount: number;
  readonly price: number;
  readonly fee: number;
  readonly time: number;
  readonly orderType: 'market' | 'limit' | 'stop_market';
  readonly maker: boolean;
  readonly reduceOnly: boolean;
}

/**
 * A bot's closed trades from its fills, folded by the backtester's own TradeTracker (so they have exactly the fields
 * of a backtest's result.json trades; `perFill` as the strategy declares, e.g. GRID's per-level round trips), with
 * the average entry per side from foldSideFill (side-book.ts).
 */
export function botTrades(
  fills: readonly BotFillView[],
  opts: { readonly perFill?: boolean } = {},
): { trades: TradeRecord[]; open: Record<PositionSide, SideBook> } {
  const tracker = new TradeTracker({ perFill: opts.perFill === true });
  const pos: Record<PositionSide, SideBook> = { long: { qty: 0, avg: 0 }, short: { qty: 0, avg: 0 } };
  for (const f of fills) {
    const p = pos[f.positionSide];
    const increase = increasesSide(f);
    const realized = foldSideFill(p, f);
    const e: FillEvent = {
      type: 'fill',
      fill: { key: f.key, side: f.side, positionSide: f.positionSide, amount: f.amount, price: f.price, fee: f.fee, time: f.time, tag: f.tag, remaining: 0 },
      orderType: f.orderType,
      liquidity: f.maker ? 'maker' : 'taker',
      reduceOnly: f.reduceOnly,
      increase,
      realizedPnl: realized,
      positionQty: p.qty,
      positionAvgPrice: p.avg,
    };
    tracker.onFill(e);
  }
  return { trades: tracker.trades, open: pos };
}
