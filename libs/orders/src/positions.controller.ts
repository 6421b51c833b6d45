import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, ApiBadRequestResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { PositionsService } from '@tb/positions';
import { ApiErrorResponses, CurrentUser, Scopes, ThrottleOrders, type AuthPrincipal } from '@tb/users';
import { PositionsCloseService } from './positions-close.service';
import { ClosePositionRequestDto, ListPositionsQueryDto, PositionPageResponseDto, PositionResponseDto } from './dto/positions.dto';
import { OrderResponseDto } from './dto/orders.dto';

@ApiTags('positions')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiErrorResponses(401, 403)
@Controller('api/positions')
export class PositionsController {
  constructor(
    private readonly positions: PositionsService,
    private readonly closer: PositionsCloseService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your positions (open by default), derived from fills' })
  @ApiOkResponse({ type: PositionPageResponseDto })
  async list(@CurrentUser() user: AuthPrincipal, @Query() q: ListPositionsQueryDto): Promise<PositionPageResponseDto> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.positions.list(user.userId, { status: q.status ?? 'open', symbol: q.symbol, accountId: q.accountId, limit, offset });
    return { items: rows.map((p) => PositionResponseDto.from(p)), total, limit, offset };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One position with unrealized PnL at the last price and a liquidation estimate' })
  @ApiOkResponse({ type: PositionResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  detail(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<PositionResponseDto> {
    return this.closer.detail(user.userId, id);
  }

  @Post(':id/close')
  @Scopes('trade')
  @ThrottleOrders()
  @ApiOperation({ summary: 'Close a position fully (default) or partially (fraction or amount) with a market order' })
  @ApiCreatedResponse({ type: OrderResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already closed' })
  async close(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: ClosePositionRequestDto): Promise<OrderResponseDto> {
    return OrderResponseDto.from(await this.closer.close(user.userId, id, dto));
  }
}
