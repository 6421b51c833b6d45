import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import type { StatsPeriod } from './stats.calculator';
import { StatsService } from './stats.service';
import { StatsScopeQueryDto, StatsSeriesQueryDto } from './dto/stats.query.dto';
import { BotStatsResponseDto, StatsPerformanceResponseDto, StatsSeriesResponseDto, StatsSummaryResponseDto, SymbolPerformanceResponseDto } from './dto/stats.response.dto';

/**
 * Trading statistics from your fills, in exact decimals (both APIs): totals, UTC daily/weekly/monthly PnL, per
 * symbol performance, per bot with the max drawdown of its equity. `botId` / `symbol` narrow any of them.
 */
@ApiTags('statistics')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('summary')
  @Scopes('read')
  @ApiOperation({ summary: 'Realized and unrealized PnL, fees, funding, volume, trades, win rate, profit factor; open positions at their mark' })
  @ApiOkResponse({ type: StatsSummaryResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async summary(@CurrentUser('userId') userId: string, @Query() q: StatsScopeQueryDto): Promise<StatsSummaryResponseDto> {
    return StatsSummaryResponseDto.from(await this.stats.summary({ userId, botId: q.botId, symbol: q.symbol }));
  }

  @Get('daily')
  @Scopes('read')
  @ApiOperation({ summary: 'PnL per UTC day (the last `limit` days that had fills)' })
  @ApiOkResponse({ type: StatsSeriesResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  daily(@CurrentUser('userId') userId: string, @Query() q: StatsSeriesQueryDto): Promise<StatsSeriesResponseDto> {
    return this.series(userId, 'day', q);
  }

  @Get('weekly')
  @Scopes('read')
  @ApiOperation({ summary: 'PnL per UTC week (Monday to Sunday; the last `limit` weeks that had fills)' })
  @ApiOkResponse({ type: StatsSeriesResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  weekly(@CurrentUser('userId') userId: string, @Query() q: StatsSeriesQueryDto): Promise<StatsSeriesResponseDto> {
    return this.series(userId, 'week', q);
  }

  @Get('monthly')
  @Scopes('read')
  @ApiOperation({ summary: 'PnL per UTC month (the last `limit` months that had fills)' })
  @ApiOkResponse({ type: StatsSeriesResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  monthly(@CurrentUser('userId') userId: string, @Query() q: StatsSeriesQueryDto): Promise<StatsSeriesResponseDto> {
    return this.series(userId, 'month', q);
  }

  @Get('performance')
  @Scopes('read')
  @ApiOperation({ summary: 'Performance per symbol, best net PnL first' })
  @ApiOkResponse({ type: StatsPerformanceResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async performance(@CurrentUser('userId') userId: string, @Query() q: StatsScopeQueryDto): Promise<StatsPerformanceResponseDto> {
    const rows = await this.stats.performance({ userId, botId: q.botId, symbol: q.symbol });
    return { items: rows.map((r): SymbolPerformanceResponseDto => ({ ...r })) };
  }

  @Get('bots/:id')
  @Scopes('read')
  @ApiOperation({ summary: "One bot's statistics with the max drawdown of its equity (snapshotted at every candle close)" })
  @ApiOkResponse({ type: BotStatsResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async bot(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotStatsResponseDto> {
    return BotStatsResponseDto.fromBot(await this.stats.bot(userId, id));
  }

  private async series(userId: string, period: StatsPeriod, q: StatsSeriesQueryDto): Promise<StatsSeriesResponseDto> {
    const rows = await this.stats.series({ userId, botId: q.botId, symbol: q.symbol }, period, q.limit ?? 30);
    return { period, items: rows.map((r) => ({ ...r })) };
  }
}
