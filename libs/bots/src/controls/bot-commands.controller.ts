import { Body, Controller, HttpCode, HttpStatus, Injectable, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes, ThrottleOrders } from '@tb/users';
import type { BotStrategyName } from '../bot.entity';
import { BotCommandsService } from '../commands/bot-commands.service';
import { BotCommandRequestDto, BotCommandResponseDto } from './dto/bot-command.dto';

/** POST /api/{hyperrsi|grid}/bots/:id/commands: a trader command into a running bot (docs/adr/0018-trader-commands.md). */
@Injectable()
abstract class BotCommandsController {
  protected abstract readonly strategy: BotStrategyName;

  constructor(private readonly commands: BotCommandsService) {}

  @Post(':id/commands')
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('trade')
  @ThrottleOrders()
  @ApiOperation({
    summary: 'Send a command to the bot: manual stop-loss / take-profit (set, clear), close a % now, skip the next entry, force an entry',
    description:
      'The command goes to the bot inbox and is applied at its next evaluation, after the decision on the last candle (journaled as a `command` decision). HYPERRSI accepts every command; GRID accepts set/clear_stop_loss, set/clear_take_profit (one price, sizes [100]) and close_percent 100.',
  })
  @ApiAcceptedResponse({ type: BotCommandResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED (shape) or STRATEGY_COMMAND_INVALID (one detail per bad command.<field>; a command the strategy does not accept)' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: the bot is not running or paused' })
  @ApiErrorResponses(401, 403, 404, 429)
  async submit(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: BotCommandRequestDto): Promise<BotCommandResponseDto> {
    return this.commands.submit(userId, id, body.toCommand(), { strategy: this.strategy, source: 'api', ...(body.id ? { id: body.id } : {}) });
  }
}

@ApiTags('hyperrsi bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/hyperrsi/bots')
export class HyperrsiBotCommandsController extends BotCommandsController {
  protected readonly strategy = 'hyperrsi' as const;
}

@ApiTags('grid bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/bots')
export class GridBotCommandsController extends BotCommandsController {
  protected readonly strategy = 'grid' as const;
}
