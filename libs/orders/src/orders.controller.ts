import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags, ApiBadRequestResponse, ApiConflictResponse, ApiUnprocessableEntityResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ErrorResponseDto } from '@tb/common';
import { ApiErrorResponses, CurrentUser, Scopes, ThrottleOrders, type AuthPrincipal } from '@tb/users';
import { OrdersService } from './orders.service';
import { CancelAllRequestDto, CancelAllResponseDto, ListOrdersQueryDto, OrderPageResponseDto, OrderResponseDto, PlaceOrderRequestDto } from './dto/orders.dto';

@ApiTags('orders')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiErrorResponses(401, 403)
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @ApiOperation({ summary: 'List your orders (newest first), with filters and pagination' })
  @ApiOkResponse({ type: OrderPageResponseDto })
  async list(@CurrentUser() user: AuthPrincipal, @Query() q: ListOrdersQueryDto): Promise<OrderPageResponseDto> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const [rows, total] = await this.orders.list(user.userId, { ...q, limit, offset });
    return { items: rows, total, limit, offset }; // rows are OrderResponseDto-shaped already
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order with its fills' })
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async detail(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<OrderResponseDto> {
    const { order, fills } = await this.orders.get(user.userId, id);
    return OrderResponseDto.from(order, fills);
  }

  @Post()
  @Scopes('trade')
  @ThrottleOrders()
  @ApiOperation({ summary: 'Place a manual order (idempotent with clientKey); rounded to the market precision before sending' })
  @ApiCreatedResponse({ type: OrderResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown exchange account' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'Below the market minimum, insufficient funds, invalid for the exchange' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  async place(@CurrentUser() user: AuthPrincipal, @Body() dto: PlaceOrderRequestDto): Promise<OrderResponseDto> {
    const order = await this.orders.place({
      userId: user.userId,
      accountId: dto.accountId,
      intentKey: `manual:${user.userId}:${dto.clientKey ?? randomUUID()}`,
      symbol: dto.symbol,
      type: dto.type,
      side: dto.side,
      positionSide: dto.positionSide,
      amount: dto.amount,
      price: dto.price,
      triggerPrice: dto.triggerPrice,
      reduceOnly: dto.reduceOnly,
      referencePrice: dto.referencePrice,
      tag: 'manual',
    });
    return OrderResponseDto.from(order);
  }

  @Delete(':id')
  @Scopes('trade')
  @ThrottleOrders()
  @ApiOperation({ summary: 'Cancel an open order' })
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already final' })
  async cancel(@CurrentUser() user: AuthPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<OrderResponseDto> {
    return OrderResponseDto.from(await this.orders.cancel(user.userId, id));
  }

  @Post('cancel-all')
  @HttpCode(200)
  @Scopes('trade')
  @ThrottleOrders()
  @ApiOperation({ summary: 'Cancel every open order of an account for one symbol' })
  @ApiOkResponse({ type: CancelAllResponseDto })
  async cancelAll(@CurrentUser() user: AuthPrincipal, @Body() dto: CancelAllRequestDto): Promise<CancelAllResponseDto> {
    const res = await this.orders.cancelAll(user.userId, dto.accountId, dto.symbol);
    return { canceled: res.canceled.map((o) => OrderResponseDto.from(o)), failed: res.failed };
  }
}
