import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiNoContentResponse } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Roles, Scopes } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../http/api-error-responses';
import { CreateUserRequestDto } from './dto/create-user.request.dto';
import { UserListResponseDto, UserResponseDto } from './dto/user.response.dto';
import { UsersService } from './users.service';

/** Account administration: admins only (an API key needs the `admin` scope). */
@ApiTags('users')
@ApiBearerAuth('jwt')
@ApiSecurity('api-key')
@Roles('admin')
@Scopes('admin')
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  @Post(':id/disable')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Disable a user (admin): login refused, tokens and API keys revoked, data kept' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async disable(@CurrentUser('userId') actorId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.auth.disableUser(actorId, id));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a user (admin)',
    description: 'Soft delete: disabled as above, email and password hash scrubbed; orders, fills, positions and accounts stay for the audit trail.',
  })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@CurrentUser('userId') actorId: string, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.auth.deleteUser(actorId, id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiErrorResponses(400, 401, 403, 409)
  async create(@Body() body: CreateUserRequestDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.createUser(body));
  }

  @Get()
  @ApiOperation({ summary: 'List users (admin)' })
  @ApiOkResponse({ type: UserListResponseDto })
  @ApiErrorResponses(401, 403)
  async list(): Promise<UserListResponseDto> {
    return { items: (await this.users.listUsers()).map((u) => UserResponseDto.from(u)) };
  }
}
