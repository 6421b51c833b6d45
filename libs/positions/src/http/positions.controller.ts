import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, type AuthPrincipal } from '@tb/users';
import { PositionsService } from '../positions.service';
import { PositionDetailService } from './position-detail.service';
import { ListPositionsQueryDto, PositionPageResponseDto, PositionResponseDto } from './dto/positions.dto';

@ApiTags('positions')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiErrorResponses(401, 403)
@Controller('api/positions')
export class PositionsController {
  constructor(
    private readonly positions: PositionsService,
    private readonly details: PositionDetailService,
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
    return this.details.detail(user.userId, id);
  }
}
