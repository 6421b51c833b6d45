import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { NOTIFICATION_MODES, type NotificationMode, type TelegramChatEntity } from '../../telegram.entity';
import { NOTIFIED_EVENTS, type NotifiedEvent } from '../../prefs/notification-prefs.service';

export class LinkCodeResponseDto {
  @ApiProperty({ example: 'K7QX2MZP9A', description: 'Send "/start <code>" to the bot; works once; shown only here' })
  code!: string;

  @ApiProperty({ example: '2024-05-01T10:10:00.000Z' })
  expiresAt!: string;
}

export class TelegramChatResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '123456789', description: "Telegram's chat id" }) chatId!: string;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty({ description: 'false once the user blocked the bot (nothing is sent until they write to it again)' }) active!: boolean;
  @ApiProperty() linkedAt!: string;

  static from(c: TelegramChatEntity): TelegramChatResponseDto {
    return { id: c.id, chatId: String(c.chatId), username: c.username, active: c.active, linkedAt: c.linkedAt.toISOString() };
  }
}

export class TelegramChatListResponseDto {
  @ApiProperty({ type: [TelegramChatResponseDto] }) items!: TelegramChatResponseDto[];
}

export class NotificationPrefsResponseDto {
  @ApiProperty({
    example: { 'order.filled': 'on', 'bot.error': 'on', 'position.closed': 'silent' },
    description: `Mode per event type (${NOTIFIED_EVENTS.join(', ')}): on, silent (no sound) or off`,
  })
  preferences!: Record<string, NotificationMode>;
}

export class SetNotificationPrefRequestDto {
  @ApiProperty({ enum: NOTIFICATION_MODES })
  @IsIn(NOTIFICATION_MODES)
  mode!: NotificationMode;
}

export class EventTypeParamDto {
  @ApiProperty({ enum: NOTIFIED_EVENTS })
  @IsIn(NOTIFIED_EVENTS)
  eventType!: NotifiedEvent;
}
