import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PageMetaDto } from '@tb/common';
import { TIMEFRAMES, apiSettings, type Timeframe } from '@tb/strategies';
import { SYMBOL_PATTERN } from '../../stats/dto/stats.query.dto';
import { PORTFOLIO_METRICS, type PortfolioMetric, type SymbolScore } from '../portfolio-selection';
import type { PortfolioDetailView } from '../grid-portfolios.service';
import type { GridPortfolioEntity } from '../grid-portfolio.entity';

/** POST /api/grid/portfolios */
export class CreateGridPortfolioRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The exchange account whose symbols are ranked and traded' }) @IsUUID() accountId!: string;
  @ApiProperty({ example: 'top-5 long grids' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: TIMEFRAMES, example: '15m', description: 'Candles of the ranking backtests and of the bots (the original: 15m)' }) @IsIn(TIMEFRAMES) timeframe!: Timeframe;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { direction: 'long', gridNum: 20, investment: 1000, leverage: 1, customStopMinutes: 720 }, description: 'GRID settings of every bot (adaptive mode); customStopMinutes is the custom_stop' })
  @IsObject()
  settings!: Record<string, unknown>;
  @ApiProperty({ minimum: 1, maximum: 20, description: 'Up to this many bots at once (the original enter_symbol_count)' }) @IsInt() @Min(1) @Max(20) maxBots!: number;
  @ApiPropertyOptional({ enum: PORTFOLIO_METRICS, default: 'win_rate' }) @IsOptional() @IsIn(PORTFOLIO_METRICS) metric?: PortfolioMetric;
  @ApiPropertyOptional({ default: 168, minimum: 1, maximum: 2160, description: 'Recent window of stored candles each symbol is backtested on' }) @IsOptional() @IsInt() @Min(1) @Max(2160) lookbackHours?: number;
  @ApiPropertyOptional({ default: 240, minimum: 5, maximum: 10080, description: 'Minutes between two rankings (the original: 4 h)' }) @IsOptional() @IsInt() @Min(5) @Max(10080) intervalMinutes?: number;
  @ApiPropertyOptional({ default: 1, minimum: 0, maximum: 1000, description: 'Backtest trades a ranked symbol needs to be picked (the whitelist is exempt)' }) @IsOptional() @IsInt() @Min(0) @Max(1000) minTrades?: number;
  @ApiPropertyOptional({ type: [String], example: ['SOL/USDT'], description: 'Picked first (after the running bots)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SYMBOL_PATTERN, { each: true, message: 'each symbol must look like BASE/QUOTE or BASE/QUOTE:SETTLE' })
  whitelist?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Never traded' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SYMBOL_PATTERN, { each: true, message: 'each symbol must look like BASE/QUOTE or BASE/QUOTE:SETTLE' })
  blacklist?: string[];
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() start?: boolean;
}

export class SymbolScoreResponseDto implements SymbolScore {
  @ApiProperty({ example: 'SOL/USDT' }) symbol!: string;
  @ApiProperty() trades!: number;
  @ApiProperty() winRatePct!: number;
  @ApiProperty() totalReturnPct!: number;
  @ApiProperty({ type: Number, nullable: true }) profitFactor!: number | null;
  @ApiProperty() maxDrawdownPct!: number;
  @ApiProperty({ description: "The ranking metric's value" }) score!: number;
}

export class PortfolioBotResponseDto {
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty() symbol!: string;
  @ApiProperty({ type: String, nullable: true, example: 'running', description: "The bot's status; null if it was deleted" }) status!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) stoppedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'custom_stop', description: 'custom_stop, blacklisted, bot_stopped, bot_error, portfolio_stopped' }) stopReason!: string | null;
}

export class GridPortfolioSummaryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['running', 'stopped'] }) status!: string;
  @ApiProperty() timeframe!: string;
  @ApiProperty({ enum: PORTFOLIO_METRICS }) metric!: string;
  @ApiProperty() maxBots!: number;
  @ApiProperty() lookbackHours!: number;
  @ApiProperty() intervalMinutes!: number;
  @ApiProperty() minTrades!: number;
  @ApiProperty({ type: [String] }) whitelist!: string[];
  @ApiProperty({ type: [String] }) blacklist!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the current ranking was made' }) rankedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next round is due (running only)' }) nextRunAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;

  static from(p: GridPortfolioEntity): GridPortfolioSummaryResponseDto {
    const iso = (v: string | null) => (v === null ? null : new Date(Number(v)).toISOString());
    return {
      id: p.id,
      accountId: p.accountId,
      name: p.name,
      status: p.status,
      timeframe: p.timeframe,
      metric: p.metric,
      maxBots: p.maxBots,
      lookbackHours: p.lookbackHours,
      intervalMinutes: p.intervalMinutes,
      minTrades: p.minTrades,
      whitelist: p.whitelist,
      blacklist: p.blacklist,
      settings: apiSettings(p.settings),
      rankedAt: iso(p.rankedAt),
      nextRunAt: iso(p.nextRunAt),
      createdAt: p.createdAt.toISOString(),
    };
  }
}

export class GridPortfolioResponseDto extends GridPortfolioSummaryResponseDto {
  @ApiProperty({ type: [SymbolScoreResponseDto], description: 'The current ranking, best first (empty before the first round)' }) ranking!: SymbolScoreResponseDto[];
  @ApiProperty({ type: [PortfolioBotResponseDto], description: 'Every bot the portfolio started, oldest first' }) bots!: PortfolioBotResponseDto[];

  static fromDetail(v: PortfolioDetailView): GridPortfolioResponseDto {
    return {
      ...GridPortfolioSummaryResponseDto.from(v.portfolio),
      ranking: (v.portfolio.ranking ?? []).map((r) => ({ ...r })),
      bots: v.bots.map(({ link, bot }) => ({
        botId: link.botId,
        symbol: link.symbol,
        status: bot?.status ?? null,
        startedAt: new Date(Number(link.startedAt)).toISOString(),
        stoppedAt: link.stoppedAt === null ? null : new Date(Number(link.stoppedAt)).toISOString(),
        stopReason: link.stopReason,
      })),
    };
  }
}

export class GridPortfolioPageResponseDto extends PageMetaDto {
  @ApiProperty({ type: [GridPortfolioSummaryResponseDto] }) items!: GridPortfolioSummaryResponseDto[];
}
