import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import { BacktestRunsService } from './backtest-runs.service';
import { CreateBacktestRequestDto } from './dto/create-backtest.request.dto';
import { ListBacktestsQueryDto } from './dto/list-backtests.query.dto';
import {
  BacktestRunAcceptedDto,
  BacktestRunListResponseDto,
  BacktestRunResponseDto,
  BacktestRunSummaryDto,
} from './dto/backtest-run.response.dto';
import { reportContentSecurityPolicy } from '@tb/backtest';

const NoMarketData = ApiResponse({ status: 422, type: ErrorResponseDto, description: 'NO_MARKET_DATA: no stored candles of the series in the range' });
const SettingsInvalid = ApiResponse({
  status: 400,
  type: ErrorResponseDto,
  description: 'VALIDATION_FAILED (per-field details) or STRATEGY_SETTINGS_INVALID (details: one entry per bad settings.<field>)',
});

/** Backtests stored in PostgreSQL and run by the worker (or inline for small ranges). Shared by both APIs. */
@ApiTags('backtests')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/backtests')
export class BacktestRunsController {
  constructor(private readonly backtests: BacktestRunsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('trade')
  @ApiOperation({ summary: 'Queue a backtest; the worker runs it. Poll GET /api/backtests/{id} for progress and result' })
  @ApiAcceptedResponse({ type: BacktestRunAcceptedDto })
  @SettingsInvalid
  @NoMarketData
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'SERVICE_UNAVAILABLE: the queue is down (the run is stored as failed)' })
  @ApiErrorResponses(401, 403)
  async submit(@CurrentUser('userId') userId: string, @Body() body: CreateBacktestRequestDto): Promise<BacktestRunAcceptedDto> {
    const run = await this.backtests.submit(userId, body);
    return { id: run.id, status: run.status, location: `/api/backtests/${run.id}` };
  }

  @Post('run')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({
    summary: 'Run a small backtest synchronously and return its result',
    description: 'Ranges of more than BACKTEST_SYNC_MAX_CANDLES candles (default 50,000) are refused with 400 BACKTEST_TOO_LARGE: use POST /api/backtests.',
  })
  @ApiOkResponse({ type: BacktestRunResponseDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'BACKTEST_TOO_LARGE (use POST /api/backtests), VALIDATION_FAILED or STRATEGY_SETTINGS_INVALID',
  })
  @NoMarketData
  @ApiErrorResponses(401, 403)
  async runSync(@CurrentUser('userId') userId: string, @Body() body: CreateBacktestRequestDto): Promise<BacktestRunResponseDto> {
    const d = await this.backtests.runSync(userId, body);
    return BacktestRunResponseDto.withResult(d.run, d.trades, d.equity);
  }

  @Get()
  @Scopes('read')
  @ApiOperation({ summary: 'Your backtests, newest first, with filters and pagination' })
  @ApiOkResponse({ type: BacktestRunListResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async list(@CurrentUser('userId') userId: string, @Query() q: ListBacktestsQueryDto): Promise<BacktestRunListResponseDto> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const page = await this.backtests.list(
      userId,
      { status: q.status, strategy: q.strategy, exchange: q.exchange, symbol: q.symbol, timeframe: q.timeframe },
      limit,
      offset,
    );
    return { items: page.items.map((r) => BacktestRunSummaryDto.from(r)), total: page.total, limit, offset };
  }

  @Get(':id')
  @Scopes('read')
  @ApiOperation({ summary: 'Status (queued|running|completed|failed|cancelled), progress 0–1, and the result when completed' })
  @ApiOkResponse({ type: BacktestRunResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BacktestRunResponseDto> {
    const d = await this.backtests.get(userId, id);
    return BacktestRunResponseDto.withResult(d.run, d.trades, d.equity);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('trade')
  @ApiOperation({
    summary: 'Cancel a backtest',
    description: 'A queued run is cancelled at once; a running one is asked to stop and reaches `cancelled` within a second (poll GET).',
  })
  @ApiAcceptedResponse({ type: BacktestRunSummaryDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'BACKTEST_NOT_CANCELLABLE: the run already completed or failed' })
  @ApiErrorResponses(400, 401, 403, 404)
  async cancel(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BacktestRunSummaryDto> {
    return BacktestRunSummaryDto.from(await this.backtests.cancel(userId, id));
  }

  @Get(':id/report')
  @Scopes('read')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The self-contained HTML report (charts, metrics, trades) of a completed backtest' })
  @ApiOkResponse({ description: 'text/html page', schema: { type: 'string' } })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: the run is not completed' })
  @ApiErrorResponses(400, 401, 403, 404)
  async report(
    @CurrentUser('userId') userId: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    const html = await this.backtests.reportHtml(userId, id);
    void res.header('Content-Type', 'text/html; charset=utf-8'); // only on success: errors stay JSON
    void res.header('Content-Security-Policy', reportContentSecurityPolicy(html));
    return html;
  }
}
