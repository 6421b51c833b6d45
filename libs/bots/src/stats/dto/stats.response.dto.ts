import { ApiProperty } from '@nestjs/swagger';
import type { BotStatsView, StatsSummaryView } from '../stats.service';
import type { OpenPositionStats, PeriodRow, StatsTotals, SymbolRow } from '../stats.calculator';

const DEC = { type: String, example: '12.5', description: 'decimal string' } as const;

export class StatsTotalsResponseDto implements StatsTotals {
  @ApiProperty({ ...DEC, description: 'Gross realized PnL of reductions: (exit − average entry) × amount (quote)' }) realizedPnl!: string;
  @ApiProperty({ ...DEC, description: 'Fees of every fill (quote)' }) fees!: string;
  @ApiProperty({ ...DEC, description: 'Funding paid by the positions (negative = received)' }) funding!: string;
  @ApiProperty({ ...DEC, description: 'realized − fees − funding' }) netPnl!: string;
  @ApiProperty({ ...DEC, description: 'Open positions at their mark' }) unrealizedPnl!: string;
  @ApiProperty({ ...DEC, description: 'Σ amount × price of the fills (quote)' }) volume!: string;
  @ApiProperty() fills!: number;
  @ApiProperty({ description: 'Closed trades: a position lifecycle (opened → flat), or each reducing fill of a GRID bot' }) trades!: number;
  @ApiProperty() wins!: number;
  @ApiProperty() losses!: number;
  @ApiProperty({ ...DEC, example: '50' }) winRatePct!: string;
  @ApiProperty(DEC) grossProfit!: string;
  @ApiProperty(DEC) grossLoss!: string;
  @ApiProperty({ type: String, nullable: true, description: 'gross profit / gross loss; null without a losing trade' }) profitFactor!: string | null;
}

export class OpenPositionStatsResponseDto implements OpenPositionStats {
  @ApiProperty({ example: 'BTC/USDT:USDT' }) symbol!: string;
  @ApiProperty({ enum: ['long', 'short'] }) side!: 'long' | 'short';
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'null = manual orders' }) botId!: string | null;
  @ApiProperty(DEC) size!: string;
  @ApiProperty(DEC) averageEntry!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Close of the last candle a bot decided on, else the last fill price' }) mark!: string | null;
  @ApiProperty({ type: String, nullable: true }) unrealizedPnl!: string | null;
}

export class StatsSummaryResponseDto {
  @ApiProperty({ type: StatsTotalsResponseDto }) totals!: StatsTotalsResponseDto;
  @ApiProperty({ type: [OpenPositionStatsResponseDto] }) open!: OpenPositionStatsResponseDto[];

  static from(v: StatsSummaryView): StatsSummaryResponseDto {
    return { totals: { ...v.totals }, open: v.open.map((o) => ({ ...o })) };
  }
}

export class PeriodRowResponseDto implements PeriodRow {
  @ApiProperty({ example: '2025-01-02', description: 'Start of the UTC period: YYYY-MM-DD (day; week = its Monday) or YYYY-MM (month)' }) period!: string;
  @ApiProperty(DEC) realizedPnl!: string;
  @ApiProperty(DEC) fees!: string;
  @ApiProperty({ ...DEC, description: 'realized − fees (funding is not dated)' }) netPnl!: string;
  @ApiProperty({ description: 'Trades closed in the period' }) trades!: number;
  @ApiProperty(DEC) volume!: string;
}

export class StatsSeriesResponseDto {
  @ApiProperty({ enum: ['day', 'week', 'month'] }) period!: 'day' | 'week' | 'month';
  @ApiProperty({ type: [PeriodRowResponseDto] }) items!: PeriodRowResponseDto[];
}

export class SymbolPerformanceResponseDto extends StatsTotalsResponseDto implements SymbolRow {
  @ApiProperty({ example: 'BTC/USDT:USDT' }) symbol!: string;
}

export class StatsPerformanceResponseDto {
  @ApiProperty({ type: [SymbolPerformanceResponseDto], description: 'Best net PnL first' }) items!: SymbolPerformanceResponseDto[];
}

export class EquityStatsResponseDto {
  @ApiProperty({ description: 'Equity snapshots (one per candle close)' }) points!: number;
  @ApiProperty({ type: String, nullable: true }) first!: string | null;
  @ApiProperty({ type: String, nullable: true }) last!: string | null;
  @ApiProperty({ ...DEC, description: 'Largest peak-to-trough fall of the equity (quote)' }) maxDrawdown!: string;
  @ApiProperty({ ...DEC, description: 'The same fall in % of its peak' }) maxDrawdownPct!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) peakTime!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) troughTime!: string | null;
}

export class BotStatsResponseDto extends StatsSummaryResponseDto {
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty() symbol!: string;
  @ApiProperty({ type: EquityStatsResponseDto }) equity!: EquityStatsResponseDto;

  static fromBot(v: BotStatsView): BotStatsResponseDto {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return { ...StatsSummaryResponseDto.from(v), botId: v.botId, symbol: v.symbol, equity: { ...v.equity, peakTime: iso(v.equity.peakTime), troughTime: iso(v.equity.troughTime) } };
  }
}
