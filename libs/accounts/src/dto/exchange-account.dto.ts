import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { ACCOUNT_EXCHANGES, type AccountExchange } from '../exchange-account.entity';

export class CreateExchangeAccountRequestDto {
  @ApiProperty({ enum: ACCOUNT_EXCHANGES, example: 'binance' })
  @IsIn(ACCOUNT_EXCHANGES)
  exchange!: AccountExchange;

  @ApiProperty({ example: 'main binance', maxLength: 64 })
  @IsString() @IsNotEmpty() @MaxLength(64)
  label!: string;

  @ApiPropertyOptional({ enum: ['spot', 'perp'], default: 'spot' })
  @IsOptional() @IsIn(['spot', 'perp'])
  marketType?: 'spot' | 'perp';

  @ApiPropertyOptional({ description: 'Required except for paper accounts. Stored encrypted, never returned.', writeOnly: true })
  @ValidateIf((o: CreateExchangeAccountRequestDto) => o.exchange !== 'paper')
  @IsString() @IsNotEmpty() @MaxLength(256)
  apiKey?: string;

  @ApiPropertyOptional({ description: 'Required except for paper accounts. Stored encrypted, never returned.', writeOnly: true })
  @ValidateIf((o: CreateExchangeAccountRequestDto) => o.exchange !== 'paper')
  @IsString() @IsNotEmpty() @MaxLength(512)
  secret?: string;

  @ApiPropertyOptional({ description: 'okx / bitget passphrase. Stored encrypted, never returned.', writeOnly: true })
  @IsOptional() @IsString() @MaxLength(128)
  passphrase?: string;

  @ApiPropertyOptional({ description: 'Paper accounts: starting balances, e.g. {"USDT": "10000"}', example: { USDT: '10000' } })
  @IsOptional() @IsObject()
  paperBalances?: Record<string, string>;
}

export class ExchangeAccountResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ACCOUNT_EXCHANGES }) exchange!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: ['spot', 'perp'] }) marketType!: string;
  @ApiPropertyOptional({ description: 'Last 4 characters of the API key', nullable: true, example: '…a1B2' }) apiKeyHint!: string | null;
  @ApiProperty() hasPassphrase!: boolean;
  @ApiProperty() createdAt!: string;
}

export class ConnectionTestResponseDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Round-trip time of the balance call in ms', nullable: true }) latencyMs!: number | null;
  @ApiPropertyOptional({ description: 'Stable error code when ok is false', nullable: true }) code!: string | null;
  @ApiPropertyOptional({ description: 'Why the test failed (never contains credentials)', nullable: true }) message!: string | null;
  @ApiPropertyOptional({ description: 'Assets with a non-zero balance', type: [String] }) assets!: string[];
}

/** Paper balances are decimal strings (numeric columns downstream). */
export const PAPER_BALANCE_PATTERN = /^\d+(\.\d+)?$/;
