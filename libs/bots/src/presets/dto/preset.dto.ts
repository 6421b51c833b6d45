import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { BotFeedRequestDto } from '../../http/dto/create-bot.request.dto';
import { apiSettings } from '@tb/strategies';
import type { HyperrsiPresetEntity } from '../preset.entity';

/** printable: no control characters */
const NAME = /^[^\p{Cc}]{1,100}$/u;

/** POST /api/hyperrsi/presets */
export class CreatePresetRequestDto {
  @ApiProperty({ example: 'scalp 1m', description: 'Unique among your presets (1-100 characters)' })
  @IsString()
  @Length(1, 100)
  @Matches(NAME)
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { investment: 50, leverage: 10, symbolInvestments: { 'ETH/USDT:USDT': 30 }, useDualSideEntry: true, dualSideEntryTrigger: 3 },
    description: "HYPERRSI settings (defaults fill in the rest); 400 STRATEGY_SETTINGS_INVALID lists every bad settings.<field> (per-symbol investments and dual-side settings included). Keys in camelCase (the API's names, as responses show them); the original's snake_case names are accepted too.",
  })
  @IsObject()
  settings!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Make it your default preset (the previous default stops being it)' })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

/** PUT /api/hyperrsi/presets/:id — what is given changes; bots created from the preset keep their own settings. */
export class UpdatePresetRequestDto {
  @ApiPropertyOptional({ example: 'scalp 1m v2' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(NAME)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the preset settings (validated)' })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}

/** POST /api/hyperrsi/presets/:id/bots — a bot with a copy of the preset's settings. */
export class CreateBotFromPresetRequestDto {
  @ApiProperty({ format: 'uuid', description: 'One of your exchange accounts (exchange "paper" for paper trading)' })
  @IsUUID()
  accountId!: string;

  @ApiProperty({ example: 'BTC/USDT:USDT', description: 'ccxt unified symbol' })
  @Matches(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/)
  symbol!: string;

  @ApiProperty({ example: '1h' })
  @IsString()
  timeframe!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "Settings over the preset's (this bot only)" })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: BotFeedRequestDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BotFeedRequestDto)
  feed?: BotFeedRequestDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

/** POST /api/hyperrsi/presets/:id/apply */
export class ApplyPresetRequestDto {
  @ApiProperty({ format: 'uuid', description: 'One of your HYPERRSI bots: the preset settings become its settings (merged over them), journaled as a settings change' })
  @IsUUID()
  botId!: string;
}

export class PresetResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty() isDefault!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(p: HyperrsiPresetEntity): PresetResponseDto {
    return { id: p.id, name: p.name, settings: apiSettings(p.settings), isDefault: p.isDefault, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
  }
}

export class PresetListResponseDto {
  @ApiProperty({ type: [PresetResponseDto] }) items!: PresetResponseDto[];
}
