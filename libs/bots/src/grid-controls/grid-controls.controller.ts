import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { apiSettings } from '@tb/strategies';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import { GridControlsService } from './grid-controls.service';
import { AdjustGridRequestDto, AdjustGridResponseDto, GridLevelsResponseDto } from './dto/grid-controls.dto';

/** GRID controls on /api/grid/bots/:id: every level of the grid, and adjusting a running grid. */
@ApiTags('grid bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/bots')
export class GridControlsController {
  constructor(private readonly grid: GridControlsService) {}

  @Get(':id/levels')
  @Scopes('read')
  @ApiOperation({ summary: 'Every level: price, side, state, its order and its take-profit, filled count, realized grid profit' })
  @ApiOkResponse({ type: GridLevelsResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async levels(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<GridLevelsResponseDto> {
    return GridLevelsResponseDto.from(await this.grid.levels(userId, id));
  }

  @Post(':id/adjust')
  @HttpCode(HttpStatus.OK)
  @Scopes('trade')
  @ApiOperation({ summary: 'Change range, count, investment or direction of a running grid: journaled; only the levels that change are cancelled and re-placed' })
  @ApiOkResponse({ type: AdjustGridResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED, BAD_REQUEST (nothing to adjust) or STRATEGY_SETTINGS_INVALID (one detail per settings.<field>)' })
  @ApiErrorResponses(401, 403, 404)
  async adjust(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: AdjustGridRequestDto): Promise<AdjustGridResponseDto> {
    const bot = await this.grid.adjust(userId, id, body);
    return { botId: bot.id, settings: apiSettings(bot.settings) };
  }
}
