import { Body, Controller, Get, Post } from '@nestjs/common';
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
  constructor(private readonly users: UsersService) {}

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
