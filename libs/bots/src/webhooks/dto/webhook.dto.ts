import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsPositive, IsString, Length, Matches } from 'class-validator';
import type { BotWebhookEntity } from '../webhook.entity';

/** POST /api/{hyperrsi|grid}/bots/:id/webhooks */
export class CreateWebhookRequestDto {
  @ApiPropertyOptional({ example: 'TradingView RSI alert', description: 'A name for you (1-100 characters)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]+$/u)
  label?: string;
}

/** The alert a signal source posts (TradingView's alert message as JSON). */
export class WebhookAlertRequestDto {
  @ApiPropertyOptional({ example: 'tv-2024-05-01T10:00', description: 'The alert id (1-64 of A-Z a-z 0-9 _ . : -): the same id twice is one command' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  id?: string;

  @ApiProperty({ enum: ['entry', 'exit'], description: 'entry: open a position now; exit: close the side at market' })
  @IsIn(['entry', 'exit'])
  action!: 'entry' | 'exit';

  @ApiProperty({ enum: ['long', 'short'] })
  @IsIn(['long', 'short'])
  side!: 'long' | 'short';

  @ApiPropertyOptional({ example: 0.01, description: "entry: amount in base units (absent: the strategy's own entry size)" })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  size?: number;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastAlertAt!: string | null;

  static from(w: BotWebhookEntity): WebhookResponseDto {
    return { id: w.id, botId: w.botId, label: w.label, createdAt: w.createdAt.toISOString(), revokedAt: w.revokedAt?.toISOString() ?? null, lastAlertAt: w.lastAlertAt?.toISOString() ?? null };
  }
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  @ApiProperty({ example: 'tbwh_3q2…', description: 'The secret token: shown this once, stored only as a hash' }) token!: string;
  @ApiProperty({ example: '/api/hyperrsi/webhooks/tbwh_3q2…', description: 'Where the signal source posts its alerts (prefix with this API host)' }) path!: string;
}

export class WebhookListResponseDto {
  @ApiProperty({ type: [WebhookResponseDto] }) items!: WebhookResponseDto[];
}

export class AlertResponseDto {
  @ApiProperty() alertId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The command queued for the bot (null for a replayed alert)' }) commandId!: string | null;
  @ApiProperty({ description: 'true: this alert id was received before; nothing was queued' }) duplicate!: boolean;
}
