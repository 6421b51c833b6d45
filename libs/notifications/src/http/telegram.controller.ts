import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, CurrentUser, Scopes } from '@tb/users';
import { TelegramLinkingService } from '../linking/telegram-linking.service';
import { NOTIFIED_EVENTS, NotificationPrefsService } from '../prefs/notification-prefs.service';
import { EventTypeParamDto, LinkCodeResponseDto, NotificationPrefsResponseDto, SetNotificationPrefRequestDto, TelegramChatListResponseDto, TelegramChatResponseDto } from './dto/telegram.dto';

/** Linking Telegram chats and choosing which events reach them. */
@ApiTags('telegram')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Controller('api/telegram')
export class TelegramController {
  constructor(
    private readonly linking: TelegramLinkingService,
    private readonly prefs: NotificationPrefsService,
  ) {}

  @Post('link-codes')
  @Scopes('trade')
  @ApiOperation({ summary: 'A one-time link code (10 minutes): send "/start <code>" to the bot from the chat to link' })
  @ApiCreatedResponse({ type: LinkCodeResponseDto })
  @ApiErrorResponses(401, 403)
  async linkCode(@CurrentUser('userId') userId: string): Promise<LinkCodeResponseDto> {
    const { code, expiresAt } = await this.linking.createCode(userId);
    return { code, expiresAt: expiresAt.toISOString() };
  }

  @Get('chats')
  @Scopes('read')
  @ApiOperation({ summary: 'Your linked Telegram chats' })
  @ApiOkResponse({ type: TelegramChatListResponseDto })
  @ApiErrorResponses(401, 403)
  async chats(@CurrentUser('userId') userId: string): Promise<TelegramChatListResponseDto> {
    return { items: (await this.linking.chats(userId)).map((c) => TelegramChatResponseDto.from(c)) };
  }

  @Delete('chats/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Scopes('trade')
  @ApiOperation({ summary: 'Unlink a chat: it receives nothing and can command nothing from now on' })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.linking.removeChat(userId, id);
  }

  @Get('notification-preferences')
  @Scopes('read')
  @ApiOperation({ summary: 'Your notification mode per event type (on, silent, off)' })
  @ApiOkResponse({ type: NotificationPrefsResponseDto })
  @ApiErrorResponses(401, 403)
  async getPrefs(@CurrentUser('userId') userId: string): Promise<NotificationPrefsResponseDto> {
    return { preferences: await this.prefs.all(userId) };
  }

  @Put('notification-preferences/:eventType')
  @Scopes('trade')
  @ApiOperation({ summary: 'Set the notification mode of one event type' })
  @ApiParam({ name: 'eventType', enum: NOTIFIED_EVENTS })
  @ApiOkResponse({ type: NotificationPrefsResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async setPref(@CurrentUser('userId') userId: string, @Param() params: EventTypeParamDto, @Body() body: SetNotificationPrefRequestDto): Promise<NotificationPrefsResponseDto> {
    await this.prefs.set(userId, params.eventType, body.mode);
    return { preferences: await this.prefs.all(userId) };
  }
}
