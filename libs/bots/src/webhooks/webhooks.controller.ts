import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Injectable, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Public, Scopes, ThrottleWebhook } from '@tb/users';
import type { BotStrategyName } from '../bot.entity';
import { WebhooksService } from './webhooks.service';
import { AlertResponseDto, CreateWebhookRequestDto, CreatedWebhookResponseDto, WebhookAlertRequestDto, WebhookListResponseDto, WebhookResponseDto } from './dto/webhook.dto';

/** A bot's signal webhooks: create (the token is shown once), list, revoke. */
@Injectable()
abstract class BotWebhooksController {
  protected abstract readonly strategy: BotStrategyName;

  constructor(private readonly hooks: WebhooksService) {}

  @Post(':id/webhooks')
  @Scopes('trade')
  @ApiOperation({ summary: 'Give the bot a signal webhook: its secret URL token is in this answer only (stored hashed)' })
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async create(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: CreateWebhookRequestDto): Promise<CreatedWebhookResponseDto> {
    const { webhook, token } = await this.hooks.create(userId, this.strategy, id, body.label ?? null);
    return { ...WebhookResponseDto.from(webhook), token, path: `/api/${this.strategy}/webhooks/${token}` };
  }

  @Get(':id/webhooks')
  @Scopes('read')
  @ApiOperation({ summary: "The bot's webhooks (never their tokens), revoked ones included" })
  @ApiOkResponse({ type: WebhookListResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async list(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<WebhookListResponseDto> {
    return { items: (await this.hooks.list(userId, this.strategy, id)).map((w) => WebhookResponseDto.from(w)) };
  }

  @Delete(':id/webhooks/:webhookId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Scopes('trade')
  @ApiOperation({ summary: 'Revoke a webhook: its URL answers 404 from now on' })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404)
  async revoke(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string, @Param('webhookId', new ParseUUIDPipe()) webhookId: string): Promise<void> {
    await this.hooks.revoke(userId, this.strategy, id, webhookId);
  }
}

@ApiTags('hyperrsi bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/hyperrsi/bots')
export class HyperrsiBotWebhooksController extends BotWebhooksController {
  protected readonly strategy = 'hyperrsi' as const;
}

@ApiTags('grid bots')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/grid/bots')
export class GridBotWebhooksController extends BotWebhooksController {
  protected readonly strategy = 'grid' as const;
}

/** The public side: a signal source posts an alert to the secret URL. */
@Injectable()
abstract class WebhookReceiverController {
  protected abstract readonly strategy: BotStrategyName;

  constructor(private readonly hooks: WebhooksService) {}

  @Post(':token')
  @Public()
  @ThrottleWebhook()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'A signal alert for the bot of this webhook: {"id"?, "action": "entry"|"exit", "side": "long"|"short", "size"?} becomes a command (entry: force_entry; exit: close the side)',
    description: 'No authentication: the secret token in the URL is the credential. A replayed alert id queues nothing (duplicate: true). Rate-limited per webhook.',
  })
  @ApiAcceptedResponse({ type: AlertResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED (the alert) or STRATEGY_COMMAND_INVALID (the bot strategy does not take it)' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'NOT_FOUND: unknown or revoked token' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: the bot is not running or paused' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'RATE_LIMITED' })
  async receive(@Param('token') token: string, @Body() body: WebhookAlertRequestDto): Promise<AlertResponseDto> {
    return this.hooks.receive(this.strategy, token, body);
  }
}

@ApiTags('signal webhooks')
@Controller('api/hyperrsi/webhooks')
export class HyperrsiWebhookReceiverController extends WebhookReceiverController {
  protected readonly strategy = 'hyperrsi' as const;
}

@ApiTags('signal webhooks')
@Controller('api/grid/webhooks')
export class GridWebhookReceiverController extends WebhookReceiverController {
  protected readonly strategy = 'grid' as const;
}
