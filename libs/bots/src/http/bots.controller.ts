import { Body, Controller, Get, HttpCode, HttpStatus, Injectable, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import type { BotStrategyName } from '../bot.entity';
import { BotsHttpService } from './bots-http.service';
import { CreateBotRequestDto, StopBotRequestDto, UpdateBotSettingsRequestDto } from './dto/create-bot.request.dto';
import { ListBotsQueryDto, ListDecisionsQueryDto } from './dto/bots.query.dto';
import { BotDecisionPageResponseDto, BotDecisionResponseDto, BotPageResponseDto, BotResponseDto, BotSummaryResponseDto, BotTradesResponseDto } from './dto/bot.response.dto';

const Refused = ApiResponse({
  status: 400,
  type: ErrorResponseDto,
  description: 'VALIDATION_FAILED (per field), STRATEGY_SETTINGS_INVALID (one detail per bad settings.<field>), BAD_REQUEST (unknown symbol; replay feed on a non-paper account)',
});
const Conflict = ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT (another active bot holds this account and symbol) or ILLEGAL_STATE_TRANSITION' });
const Unprocessable = ApiResponse({ status: 422, type: ErrorResponseDto, description: 'ORDER_BELOW_MINIMUM (investment × leverage under the minimum) or NO_MARKET_DATA (replay without stored candles)' });
const Unavailable = ApiResponse({ status: 503, type: ErrorResponseDto, description: 'EXCHANGE_UNAVAILABLE: the exchange account does not answer' });

/**
 * The bots of one strategy, per user: create, list, inspect, start/stop/pause/resume, change settings, trades and
 * the decision journal. Each strategy's app mounts its own subclass (`/api/hyperrsi/bots`, `/api/grid/bots`);
 * another user's bot, or a bot of the other strategy, is 404.
 */
@Injectable()
abstract class BotsController {
  protected abstract readonly strategy: BotStrategyName;

  constructor(private readonly bots: BotsHttpService) {}

  @Post()
  @Scopes('trade')
  @ApiOperation({ summary: 'Create a bot (and start it unless start is false); a refused activation leaves nothing behind' })
  @ApiCreatedResponse({ type: BotResponseDto })
  @Refused
  @Conflict
  @Unprocessable
  @Unavailable
  @ApiErrorResponses(401, 403, 404)
  async create(@CurrentUser('userId') userId: string, @Body() body: CreateBotRequestDto): Promise<BotResponseDto> {
    const feed = body.feed?.kind === 'replay' ? { kind: 'replay' as const, from: body.feed.from!, to: body.feed.to!, speed: body.feed.speed ?? null } : body.feed ? { kind: 'live' as const } : undefined;
    const view = await this.bots.create(userId, this.strategy, { accountId: body.accountId, symbol: body.symbol, timeframe: body.timeframe, settings: body.settings ?? {}, feed, start: body.start });
    return BotResponseDto.fromDetail(view);
  }

  @Get()
  @Scopes('read')
  @ApiOperation({ summary: 'Your bots, newest first, with status and realized PnL' })
  @ApiOkResponse({ type: BotPageResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async list(@CurrentUser('userId') userId: string, @Query() q: ListBotsQueryDto): Promise<BotPageResponseDto> {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const page = await this.bots.list(userId, this.strategy, q.status, limit, offset);
    return { items: page.items.map((v) => BotSummaryResponseDto.from(v)), total: page.total, limit, offset };
  }

  @Get(':id')
  @Scopes('read')
  @ApiOperation({ summary: 'Status, position per side, PnL, open orders with their tags, last decision, next candle time' })
  @ApiOkResponse({ type: BotResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.get(userId, this.strategy, id));
  }

  @Post(':id/start')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Start a stopped bot (activation checks the account, the market and the minimum investment)' })
  @ApiOkResponse({ type: BotResponseDto })
  @Conflict
  @Unprocessable
  @Unavailable
  @ApiErrorResponses(400, 401, 403, 404)
  async start(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.start(userId, this.strategy, id));
  }

  @Post(':id/stop')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: "Stop: cancel the bot's resting orders; closePosition also closes its position at market" })
  @ApiOkResponse({ type: BotResponseDto })
  @Conflict
  @ApiErrorResponses(400, 401, 403, 404)
  async stop(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: StopBotRequestDto): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.stop(userId, this.strategy, id, body?.closePosition ?? false));
  }

  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Pause a running bot: it keeps deciding on every candle, but sends no new order' })
  @ApiOkResponse({ type: BotResponseDto })
  @Conflict
  @ApiErrorResponses(400, 401, 403, 404)
  async pause(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.pause(userId, this.strategy, id));
  }

  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Resume a paused bot' })
  @ApiOkResponse({ type: BotResponseDto })
  @Conflict
  @ApiErrorResponses(400, 401, 403, 404)
  async resume(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.resume(userId, this.strategy, id));
  }

  @Patch(':id/settings')
  @Scopes('trade')
  @ApiOperation({ summary: 'Change settings: merged over the current ones, validated, journaled, applied from the next candle' })
  @ApiOkResponse({ type: BotResponseDto })
  @Refused
  @ApiErrorResponses(401, 403, 404)
  async updateSettings(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateBotSettingsRequestDto): Promise<BotResponseDto> {
    return BotResponseDto.fromDetail(await this.bots.updateSettings(userId, this.strategy, id, body.settings));
  }

  @Get(':id/trades')
  @Scopes('read')
  @ApiOperation({ summary: "Closed trades from the bot's fills, with the fields of a backtest's result.json trades" })
  @ApiOkResponse({ type: BotTradesResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async trades(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<BotTradesResponseDto> {
    return this.bots.trades(userId, this.strategy, id);
  }

  @Get(':id/decisions')
  @Scopes('read')
  @ApiOperation({ summary: 'The decision journal in order: every input the strategy saw, the intents it answered, its state hash' })
  @ApiOkResponse({ type: BotDecisionPageResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async decisions(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Query() q: ListDecisionsQueryDto): Promise<BotDecisionPageResponseDto> {
    const limit = q.limit ?? 100;
    const rows = await this.bots.decisions(userId, this.strategy, id, q.afterSeq ?? 0, limit);
    const items = rows.map((d) => BotDecisionResponseDto.from(d));
    return { items, nextAfterSeq: items.length === limit ? items[items.length - 1].seq : null, limit };
  }
}

@ApiTags('hyperrsi bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/hyperrsi/bots')
export class HyperrsiBotsController extends BotsController {
  protected readonly strategy = 'hyperrsi' as const;
}

@ApiTags('grid bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/bots')
export class GridBotsController extends BotsController {
  protected readonly strategy = 'grid' as const;
}
