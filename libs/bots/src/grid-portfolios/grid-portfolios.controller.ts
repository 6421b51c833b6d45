import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, ErrorResponseDto, PageQueryDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import { GridPortfoliosService } from './grid-portfolios.service';
import { CreateGridPortfolioRequestDto, GridPortfolioPageResponseDto, GridPortfolioResponseDto, GridPortfolioSummaryResponseDto } from './dto/grid-portfolio.dto';

const Conflict = ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: already running / already stopped' });

/**
 * GRID symbol selection: a portfolio ranks the account's symbols on their recent stored candles every few hours
 * (our backtester) and runs up to N grid bots on the best, with a whitelist and blacklist, replacing a symbol after
 * its custom_stop minutes without entries.
 */
@ApiTags('grid portfolios')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/portfolios')
export class GridPortfoliosController {
  constructor(private readonly portfolios: GridPortfoliosService) {}

  @Post()
  @Scopes('trade')
  @ApiOperation({ summary: 'Create a portfolio (and start it unless start is false: its first ranking runs on the worker\'s next tick)' })
  @ApiCreatedResponse({ type: GridPortfolioResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED, STRATEGY_SETTINGS_INVALID, BAD_REQUEST (range mode, a symbol on both lists)' })
  @ApiErrorResponses(401, 403, 404)
  async create(@CurrentUser('userId') userId: string, @Body() body: CreateGridPortfolioRequestDto): Promise<GridPortfolioResponseDto> {
    return GridPortfolioResponseDto.fromDetail(await this.portfolios.create(userId, body));
  }

  @Get()
  @Scopes('read')
  @ApiOperation({ summary: 'Your portfolios, newest first' })
  @ApiOkResponse({ type: GridPortfolioPageResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async list(@CurrentUser('userId') userId: string, @Query() q: PageQueryDto): Promise<GridPortfolioPageResponseDto> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.portfolios.list(userId, limit, offset);
    return { items: rows.map((p) => GridPortfolioSummaryResponseDto.from(p)), total, limit, offset };
  }

  @Get(':id')
  @Scopes('read')
  @ApiOperation({ summary: 'A portfolio with its current ranking and its bots' })
  @ApiOkResponse({ type: GridPortfolioResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<GridPortfolioResponseDto> {
    return GridPortfolioResponseDto.fromDetail(await this.portfolios.get(userId, id));
  }

  @Post(':id/start')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Start: a ranking is due at once' })
  @ApiOkResponse({ type: GridPortfolioResponseDto })
  @Conflict
  @ApiErrorResponses(400, 401, 403, 404)
  async start(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<GridPortfolioResponseDto> {
    return GridPortfolioResponseDto.fromDetail(await this.portfolios.start(userId, id));
  }

  @Post(':id/stop')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Stop: its bots are stopped and their positions closed' })
  @ApiOkResponse({ type: GridPortfolioResponseDto })
  @Conflict
  @ApiErrorResponses(400, 401, 403, 404)
  async stop(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<GridPortfolioResponseDto> {
    return GridPortfolioResponseDto.fromDetail(await this.portfolios.stop(userId, id));
  }
}
