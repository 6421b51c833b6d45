import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { ACCOUNT_EXCHANGES, type AccountExchange } from '../exchange-account.entity';

/** Paper balances are decimal strings (numeric columns downstream). */
export const PAPER_BALANCE_PATTERN = /^\d+(\.\d+)?$/;
export const MAX_PAPER_CURRENCIES = 50;
export const MAX_PAPER_BALANCE = 1e15;
const CURRENCY_CODE = /^[A-Z0-9]{1,20}$/;

/** Why a paperBalances object cannot be stored, or null when it can. */
export function paperBalancesIssue(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'paperBalances must be an object';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'paperBalances must name at least one currency';
  if (entries.length > MAX_PAPER_CURRENCIES) return `paperBalances may name at most ${MAX_PAPER_CURRENCIES} currencies`;
  for (const [code, amount] of entries) {
    if (!CURRENCY_CODE.test(code)) return 'paperBalances keys must be currency codes of 1-20 chars of A-Z0-9';
    if (typeof amount !== 'string' || amount.length > 40 || !PAPER_BALANCE_PATTERN.test(amount)) return 'paperBalances values must be decimal strings';
    if (Number(amount) > MAX_PAPER_BALANCE) return `paperBalances values must be at most ${MAX_PAPER_BALANCE}`;
  }
  return null;
}

function IsPaperBalances(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPaperBalances',
      validator: { validate: (v: unknown) => paperBalancesIssue(v) === null, defaultMessage: (args) => paperBalancesIssue(args?.value) ?? 'invalid paperBalances' },
    },
    options,
  );
}

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

  @ApiPropertyOptional({
    description: `Paper accounts: starting balances, e.g. {"USDT": "10000"}: 1-${MAX_PAPER_CURRENCIES} currency codes (1-20 chars of A-Z0-9), each a decimal string up to ${MAX_PAPER_BALANCE}`,
    example: { USDT: '10000' },
    type: 'object',
    additionalProperties: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' },
  })
  @IsOptional() @IsObject() @IsPaperBalances()
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

export class ExchangeAccountPageResponseDto {
  @ApiProperty({ type: [ExchangeAccountResponseDto] }) items!: ExchangeAccountResponseDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class ConnectionTestResponseDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Round-trip time of the balance call in ms', nullable: true }) latencyMs!: number | null;
  @ApiPropertyOptional({ description: 'Stable error code when ok is false', nullable: true }) code!: string | null;
  @ApiPropertyOptional({ description: 'Why the test failed (never contains credentials)', nullable: true }) message!: string | null;
  @ApiPropertyOptional({ description: 'Assets with a non-zero balance', type: [String] }) assets!: string[];
}

