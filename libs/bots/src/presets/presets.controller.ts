import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import { BotResponseDto } from '../http/dto/bot.response.dto';
import { BotsHttpService } from '../http/bots-http.service';
import { PresetsService } from './presets.service';
import { ApplyPresetRequestDto, CreateBotFromPresetRequestDto, CreatePresetRequestDto, PresetListResponseDto, PresetResponseDto, UpdatePresetRequestDto } from './dto/preset.dto';

const BadSettings = ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED (per field) or STRATEGY_SETTINGS_INVALID (one detail per bad settings.<field>)' });
const NameTaken = ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: you already have a preset with that name' });

/**
 * /api/hyperrsi/presets (docs/adr/0018-trader-commands.md): your named HYPERRSI settings, one default; create a bot
 * from one (the bot keeps its own copy) or apply one to a bot (an explicit, journaled settings change).
 */
@ApiTags('hyperrsi presets')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/hyperrsi/presets')
export class PresetsController {
  constructor(
    private readonly presets: PresetsService,
    private readonly bots: BotsHttpService,
  ) {}

  @Post()
  @Scopes('trade')
  @ApiOperation({ summary: 'Save a named preset of HYPERRSI settings (validated; optionally your default)' })
  @ApiCreatedResponse({ type: PresetResponseDto })
  @BadSettings
  @NameTaken
  @ApiErrorResponses(401, 403)
  async create(@CurrentUser('userId') userId: string, @Body() body: CreatePresetRequestDto): Promise<PresetResponseDto> {
    return PresetResponseDto.from(await this.presets.create(userId, body));
  }

  @Get()
  @Scopes('read')
  @ApiOperation({ summary: 'Your presets, by name' })
  @ApiOkResponse({ type: PresetListResponseDto })
  @ApiErrorResponses(401, 403)
  async list(@CurrentUser('userId') userId: string): Promise<PresetListResponseDto> {
    return { items: (await this.presets.list(userId)).map((p) => PresetResponseDto.from(p)) };
  }

  @Get('default')
  @Scopes('read')
  @ApiOperation({ summary: 'Your default preset (404 when none is)' })
  @ApiOkResponse({ type: PresetResponseDto })
  @ApiErrorResponses(401, 403, 404)
  async getDefault(@CurrentUser('userId') userId: string): Promise<PresetResponseDto> {
    return PresetResponseDto.from(await this.presets.getDefault(userId));
  }

  @Get(':id')
  @Scopes('read')
  @ApiOperation({ summary: 'One preset' })
  @ApiOkResponse({ type: PresetResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async get(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<PresetResponseDto> {
    return PresetResponseDto.from(await this.presets.get(userId, id));
  }

  @Put(':id')
  @Scopes('trade')
  @ApiOperation({ summary: 'Change a preset (name, settings, default); bots created from it keep their own settings' })
  @ApiOkResponse({ type: PresetResponseDto })
  @BadSettings
  @NameTaken
  @ApiErrorResponses(401, 403, 404)
  async update(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdatePresetRequestDto): Promise<PresetResponseDto> {
    return PresetResponseDto.from(await this.presets.update(userId, id, body));
  }

  @Post(':id/default')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Make this preset your default' })
  @ApiOkResponse({ type: PresetResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async setDefault(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<PresetResponseDto> {
    return PresetResponseDto.from(await this.presets.setDefault(userId, id));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Scopes('trade')
  @ApiOperation({ summary: 'Delete a preset (bots created from it are not touched)' })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.presets.remove(userId, id);
  }

  @Post(':id/bots')
  @Scopes('trade')
  @ApiOperation({ summary: "Create a HYPERRSI bot with a copy of the preset's settings (and start it unless start is false)" })
  @ApiCreatedResponse({ type: BotResponseDto })
  @BadSettings
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: another active bot holds this account and symbol' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'ORDER_BELOW_MINIMUM or NO_MARKET_DATA' })
  @ApiErrorResponses(401, 403, 404)
  async createBot(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: CreateBotFromPresetRequestDto): Promise<BotResponseDto> {
    const preset = await this.presets.get(userId, id);
    const feed = body.feed?.kind === 'replay' ? { kind: 'replay' as const, from: body.feed.from!, to: body.feed.to!, speed: body.feed.speed ?? null } : body.feed ? { kind: 'live' as const } : undefined;
    const view = await this.bots.create(userId, 'hyperrsi', { accountId: body.accountId, symbol: body.symbol, timeframe: body.timeframe, settings: { ...structuredClone(preset.settings), ...(body.settings ?? {}) }, feed, start: body.start });
    return BotResponseDto.fromDetail(view);
  }

  @Post(':id/apply')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: "Apply the preset to one of your HYPERRSI bots: its settings over the bot's, journaled as a settings change from the next candle" })
  @ApiOkResponse({ type: BotResponseDto })
  @BadSettings
  @ApiErrorResponses(401, 403, 404)
  async apply(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: ApplyPresetRequestDto): Promise<BotResponseDto> {
    const preset = await this.presets.get(userId, id);
    return BotResponseDto.fromDetail(await this.bots.updateSettings(userId, 'hyperrsi', body.botId, structuredClone(preset.settings)));
  }
}
