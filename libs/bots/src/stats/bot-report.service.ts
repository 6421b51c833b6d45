import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@tb/common';
import { computeMetrics, loadChartsLibrary, renderHtmlReport, type BacktestResult, type TradeRecord } from '@tb/backtest';
import { toColumns, type Candle, type CandleColumns } from '@tb/strategies';
import type { BotEntity, BotStrategyName } from '../bot.entity';
import { BotsRepository } from '../bots.repository';
import { BotsService } from '../bots.service';
import { StatsRepository } from './stats.repository';

/**
 * The backtest's self-contained HTML report for a live or paper bot (docs/adr/0019-grid-controls-and-stats.md): the
 * candles it decided on (from its journal), its equity snapshots (one per candle close), its closed trades from its
 * fills, rendered by the backtester's own `renderHtmlReport` with the backtester's metrics.
 */
@Injectable()
export class BotReportService {
  constructor(
    private readonly bots: BotsRepository,
    private readonly botsService: BotsService,
    private readonly stats: StatsRepository,
  ) {}

  async html(userId: string, strategy: BotStrategyName, botId: string): Promise<string> {
    const bot = await this.bots.findForUser(userId, botId);
    if (!bot || bot.strategy !== strategy) throw new NotFoundError('bot', botId);
    const { cols, result } = await this.resultOf(bot);
    return renderHtmlReport(result, cols, await loadChartsLibrary());
  }

  /** The bot's life as a BacktestResult: one point per candle that has an equity snapshot. */
  async resultOf(bot: BotEntity): Promise<{ cols: CandleColumns; result: BacktestResult }> {
    const candles = new Map<number, Candle>((await this.stats.botCandles(bot.id)).map((c) => [c.time, c]));
    const equity = (await this.bots.equityOf(bot.id)).filter((e) => candles.has(Number(e.time)));
    const cols = toColumns(equity.map((e) => candles.get(Number(e.time))!));
    const n = cols.length;
    const equityValue = Float64Array.from(equity, (e) => Number(e.equity));
    const trades: TradeRecord[] = (await this.botsService.tradesOf(bot.id)).trades;
    const allocation = Number(bot.protections.allocation ?? (bot.settings as { investment?: unknown }).investment ?? 0);
    const initial = allocation > 0 ? allocation : n ? equityValue[0] : 0;
    const last = equity[n - 1];
    const { metrics, drawdownPct } = computeMetrics({
      timeframe: bot.timeframe,
      initialBalance: initial,
      time: cols.time,
      equity: equityValue,
      trades,
      feesPaid: last ? Number(last.fees) : 0,
      fundingPaid: 0,
      realizedPnl: last ? Number(last.realized) : 0,
      exposedCandles: exposedCandles(cols.time, trades),
      firstOpen: n ? cols.open[0] : 0,
      lastClose: n ? cols.close[n - 1] : 0,
    });
    const result: BacktestResult = {
      strategy: bot.strategy,
      symbol: bot.symbol,
      marketType: bot.market.type,
      timeframe: bot.timeframe,
      settings: bot.settings,
      initialBalance: initial,
      finalBalance: n ? equityValue[n - 1] : initial,
      metrics,
      trades,
      equityTime: cols.time,
      equityValue,
      drawdownPct,
      marginMode: null,
      fundingEvents: null,
      strategyStats: {},
      range: { start: 0, end: n },
    };
    return { cols, result };
  }
}

/** Candles whose open time lies inside a trade (entry ≤ t < exit): a difference array over the sorted times. */
function exposedCandles(time: Float64Array, trades: readonly TradeRecord[]): number {
  const diff = new Int32Array(time.length + 1);
  const lower = (t: number) => {
    let lo = 0;
    let hi = time.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const tr of trades) {
    diff[lower(tr.entryTime)]++;
    diff[lower(tr.exitTime)]--;
  }
  let open = 0;
  let n = 0;
  for (let i = 0; i < time.length; i++) {
    open += diff[i];
    if (open > 0) n++;
  }
  return n;
}
