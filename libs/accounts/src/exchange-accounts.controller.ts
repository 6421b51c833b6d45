import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, ApiBadRequestResponse, ApiConflictResponse, ApiProperty } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, ErrorResponseDto, PageQueryDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes, type AuthPrincipal } from '@tb/users';
import { ExchangeAccountsService } from './exchange-accounts.service';
import { ConnectionTestResponseDto, CreateExchangeAccountRequestDto, ExchangeAccountPageResponseDto, ExchangeAccountResponseDto } from './dto/exchange-account.dto';

class BalanceEntryDto {
  @ApiProperty() currency!: string;
  @ApiProperty() free!: number;
  @ApiProperty() used!: number;
  @ApiProperty() total!: number;
}

class BalanceResponseDto {
  @ApiProperty({ nullable: true, type: Number }) timestamp!: number | null;
  @ApiProperty({ type: [BalanceEntryDto] }) assets!: BalanceEntryDto[];
}

@ApiTags('exchange accounts')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiErrorResponses(401, 403)
@Controller('api/exchange-accounts')
export class ExchangeAccountsController {
  constructor(private readonly accounts: ExchangeAccountsService) {}

  @Post()
  @Scopes('trade')
  @ApiOperation({ summary: 'Add an exchange account (keys are encrypted at rest and never returned)' })
  @ApiCreatedResponse({ type: ExchangeAccountResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Label already used' })
  add(@CurrentUser() user: AuthPrincipal, @Body() dto: CreateExchangeAccountRequestDto): Promise<ExchangeAccountResponseDto> {
    return this.accounts.add(user.userId, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Your exchange accounts, without secrets (oldest first, paginated like every list)' })
  @ApiOkResponse({ type: ExchangeAccountPageResponseDto })
  async list(@CurrentUser() user: AuthPrincipal, @Query() q: PageQueryDto): Promise<ExchangeAccountPageResponseDto> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = q.offset ?? 0;
    return { ...(await this.accounts.list(user.userId, limit, offset)), limit, offset };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One exchange account, without secrets' })
  @ApiOkResponse({ type: ExchangeAccountResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<ExchangeAccountResponseDto> {
    return this.accounts.get(user.userId, id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Test the connection: loads markets and the balance with the stored keys' })
  @ApiOkResponse({ type: ConnectionTestResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  test(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<ConnectionTestResponseDto> {
    return this.accounts.testConnection(user.userId, id);
  }

  @Get(':id/balance')
  @ApiOperation({ summary: 'Balance on the exchange (non-zero assets)' })
  @ApiOkResponse({ type: BalanceResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async balance(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<BalanceResponseDto> {
    const port = await this.accounts.exchangeFor(user.userId, id);
    const b = await port.fetchBalance();
    return { timestamp: b.timestamp, assets: Object.entries(b.assets).map(([currency, e]) => ({ currency, ...e })) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('trade')
  @ApiOperation({
    summary: 'Remove an exchange account',
    description:
      'Soft delete: its orders, fills and positions stay. Refused with 409 ACCOUNT_IN_USE while it has unresolved orders ' +
      '(PENDING, OPEN, PARTIALLY_FILLED) or running bots: cancel or stop them first. Once removed, nothing is sent with it again.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'ACCOUNT_IN_USE: unresolved orders or running bots' })
  async remove(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.accounts.remove(user.userId, id);
  }
}
