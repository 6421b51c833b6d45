import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OrderEntity } from '@tb/orders';
import type { TradeRecord } from '@tb/backtest';
import { apiSettings } from '@tb/strategies';
import type { BotDecisionEntity, BotFeed } from '../../bot.entity';
import { BOT_STATUSES, type BotStatus } from '../../bot-status';
import type { JournalInput } from '../../bot-journal';
import type { BotDetailView, BotSummaryView } from '../bots-http.service';

const iso = (t: Date | number | null): string | null => (t === null ? null : new Date(t).toISOString());

export class BotFeedResponseDto {
  @ApiProperty({ enum: ['live', 'replay'] }) kind!: 'live' | 'replay';
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'replay: first candle' }) from?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'replay: last candle' }) to?: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'replay: speed factor; null = as fast as possible' }) speed?: number | null;

  static from(f: BotFeed): BotFeedResponseDto {
    return f.kind === 'live' ? { kind: 'live' } : { kind: 'replay', from: new Date(f.from).toISOString(), to: new Date(f.to).toISOString(), speed: f.speed };
  }
}

/** One row of GET /bots. */
export class BotSummaryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['hyperrsi', 'grid'] }) strategy!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ example: 'BTC/USDT:USDT' }) symbol!: string;
  @ApiProperty({ example: '1h' }) timeframe!: string;
  @ApiProperty({ enum: BOT_STATUSES }) status!: BotStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why it is paused, stopped or in error' }) statusReason!: string | null;
  @ApiProperty({ type: BotFeedResponseDto }) feed!: BotFeedResponseDto;
  @ApiProperty({ description: 'Net PnL of the closed trades (quote, after fees)' }) realizedPnl!: number;
  @ApiProperty({ description: 'Every fee paid by the bot (quote)' }) fees!: number;
  @ApiProperty() closedTrades!: number;
  @ApiProperty({ description: 'Entries in the decision journal' }) decisions!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Open time of the last candle the bot decided on' }) lastCandleTime!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) stoppedAt!: string | null;

  static from(v: BotSummaryView): BotSummaryResponseDto {
    const b = v.bot;
    return {
      id: b.id,
      strategy: b.strategy,
      accountId: b.accountId,
      symbol: b.symbol,
      timeframe: b.timeframe,
      status: b.status,
      statusReason: b.statusReason,
      feed: BotFeedResponseDto.from(b.feed),
      realizedPnl: v.realizedPnl,
      fees: v.fees,
      closedTrades: v.closedTrades,
      decisions: Number(b.decisions),
      lastCandleTime: b.lastCandleTime === null ? null : iso(Number(b.lastCandleTime)),
      createdAt: b.createdAt.toISOString(),
      startedAt: iso(b.startedAt),
      stoppedAt: iso(b.stoppedAt),
    };
  }
}

export class BotPositionSideDto {
  @ApiProperty({ description: 'Base amount held on this side (from the bot’s fills)' }) qty!: number;
  @ApiProperty({ description: 'Average entry price; 0 when flat' }) avgEntryPrice!: number;
}

export class BotPositionDto {
  @ApiProperty({ type: BotPositionSideDto }) long!: BotPositionSideDto;
  @ApiProperty({ type: BotPositionSideDto, description: 'Perpetuals only (hedge side)' }) short!: BotPositionSideDto;
}

export class BotOrderResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: "The strategy's intent key (deterministic)" }) intentKey!: string;
  @ApiProperty() clientOrderId!: string;
  @ApiProperty({ example: 'tp1', description: 'entry, dca, tp1–tp3, sl, trailing, grid levels …' }) tag!: string;
  @ApiProperty({ enum: ['market', 'limit', 'stop_market'] }) type!: string;
  @ApiProperty({ enum: ['buy', 'sell'] }) side!: string;
  @ApiProperty({ enum: ['long', 'short'] }) positionSide!: string;
  @ApiProperty({ type: String, description: 'Decimal string' }) amount!: string;
  @ApiProperty({ type: String, nullable: true }) price!: string | null;
  @ApiProperty({ type: String, nullable: true }) triggerPrice!: string | null;
  @ApiProperty() reduceOnly!: boolean;
  @ApiProperty({ example: 'OPEN' }) status!: string;
  @ApiProperty({ type: String }) filled!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;

  static from(o: OrderEntity): BotOrderResponseDto {
    return {
      id: o.id,
      intentKey: o.intentKey,
      clientOrderId: o.clientOrderId,
      tag: o.tag,
      type: o.type,
      side: o.side,
      positionSide: o.positionSide,
      amount: o.amount,
      price: o.price,
      triggerPrice: o.triggerPrice,
      reduceOnly: o.reduceOnly,
      status: o.status,
      filled: o.filled,
      createdAt: o.createdAt.toISOString(),
    };
  }
}

export class BotLastDecisionDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ enum: ['init', 'candle', 'fill', 'closed', 'settings', 'command'] }) kind!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was journaled' }) time!: string;
}

/** GET /bots/:id and the answer of every lifecycle call. */
export class BotResponseDto extends BotSummaryResponseDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The settings as given (the strategy fills in its defaults), under their camelCase API names' }) settings!: Record<string, unknown>;
  @ApiProperty({ type: BotPositionDto }) position!: BotPositionDto;
  @ApiProperty({ type: Number, nullable: true, description: 'Close of the last candle the bot decided on' }) lastPrice!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Open position valued at lastPrice (quote, before fees)' }) unrealizedPnl!: number | null;
  @ApiProperty({ type: [BotOrderResponseDto], description: 'Resting or unsent orders of the bot' }) openOrders!: BotOrderResponseDto[];
  @ApiProperty({ type: BotLastDecisionDto, nullable: true }) lastDecision!: BotLastDecisionDto | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next candle closes and the bot decides again' }) nextCandleAt!: string | null;

  static fromDetail(v: BotDetailView): BotResponseDto {
    return {
      ...BotSummaryResponseDto.from(v),
      settings: apiSettings(v.bot.settings),
      position: {
        long: { qty: v.position.long.qty, avgEntryPrice: v.position.long.avg },
        short: { qty: v.position.short.qty, avgEntryPrice: v.position.short.avg },
      },
      lastPrice: v.lastPrice,
      unrealizedPnl: v.unrealizedPnl,
      openOrders: v.openOrders.map((o) => BotOrderResponseDto.from(o)),
      lastDecision: v.lastDecision ? { seq: Number(v.lastDecision.seq), kind: v.lastDecision.kind, time: v.lastDecision.createdAt.toISOString() } : null,
      nextCandleAt: iso(v.nextCandleAt),
    };
  }
}

export class BotPageResponseDto {
  @ApiProperty({ type: [BotSummaryResponseDto] }) items!: BotSummaryResponseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

/** A closed trade: the fields of a backtest's result.json trades (times in epoch ms). */
export class BotTradeDto {
  @ApiProperty({ description: 'epoch ms' }) entryTime!: number;
  @ApiProperty({ description: 'epoch ms' }) exitTime!: number;
  @ApiProperty({ enum: ['long', 'short'] }) side!: 'long' | 'short';
  @ApiProperty({ description: 'Volume-weighted average entry price' }) entryPrice!: number;
  @ApiProperty({ description: 'Volume-weighted average exit price' }) exitPrice!: number;
  @ApiProperty({ description: 'Base amount' }) qty!: number;
  @ApiProperty({ description: 'Additions after the first entry' }) dcaCount!: number;
  @ApiProperty({ description: 'Net PnL in quote (after fees and funding)' }) pnl!: number;
  @ApiProperty() pnlPct!: number;
  @ApiProperty() fees!: number;
  @ApiProperty({ description: 'Funding paid (negative = received)' }) funding!: number;
  @ApiProperty({ example: 'tp1', description: 'Tag of the order that closed the position' }) reason!: string;
  @ApiProperty({ example: 'entry' }) entryTag!: string;
  @ApiProperty() durationMs!: number;
}

export class BotTradesResponseDto {
  @ApiProperty({ type: [BotTradeDto], description: 'Closed trades, oldest first, exactly as a backtest writes them to result.json' }) trades!: readonly TradeRecord[];
  @ApiProperty({ description: 'Sum of the trades’ net PnL' }) realizedPnl!: number;
  @ApiProperty({ description: 'Every fee paid, open position included' }) fees!: number;
}

export class BotDecisionResponseDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ enum: ['init', 'candle', 'fill', 'closed', 'settings', 'command'] }) kind!: string;
  @ApiProperty({ example: 'candle:1704067200000' }) inputKey!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the strategy saw (candle, fill, closed order, settings), verbatim as journaled — the entry hash covers it, so settings keep the strategy\'s own names here (HYPERRSI: snake_case)' }) input!: JournalInput;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Order intents the strategy answered' }) intents!: unknown;
  @ApiProperty({ type: [String], description: 'Keys of intents recorded as expired instead of sent (stale, paused, warm-up)' }) expired!: unknown;
  @ApiProperty({ description: 'sha-256 of the strategy state after the decision' }) stateHash!: string;
  @ApiProperty({ description: 'sha-256 of the entry (input, intents, state hash): an edit by hand is caught', nullable: true, type: String }) entryHash!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) time!: string;

  static from(d: BotDecisionEntity): BotDecisionResponseDto {
    return { seq: Number(d.seq), kind: d.kind, inputKey: d.inputKey, input: d.input as JournalInput, intents: d.intents, expired: d.expired, stateHash: d.stateHash, entryHash: d.entryHash, time: d.createdAt.toISOString() };
  }
}

export class BotDecisionPageResponseDto {
  @ApiProperty({ type: [BotDecisionResponseDto] }) items!: BotDecisionResponseDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Pass as afterSeq for the next page; null when this page is the end' }) nextAfterSeq!: number | null;
  @ApiProperty() limit!: number;
}
