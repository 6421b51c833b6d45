import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes, ThrottleOrders, type AuthPrincipal } from '@tb/users';
import { PositionsCloseService } from './positions-close.service';
import { ClosePositionRequestDto, OrderResponseDto } from './dto/orders.dto';

/** POST /api/positions/:id/close: an OMS command (it places an order and returns it); the position reads are @tb/positions'. */
@ApiTags('positions')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiErrorResponses(401, 403)
@Controller('api/positions')
export class PositionsCloseController {
  constructor(private readonly closer: PositionsCloseService) {}

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
