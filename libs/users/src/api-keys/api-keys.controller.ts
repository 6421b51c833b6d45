import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser, JwtOnly } from '../auth/auth.decorators';
import { ApiErrorResponses } from '../http/api-error-responses';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListResponseDto, ApiKeyResponseDto, CreatedApiKeyResponseDto } from './dto/api-key.response.dto';
import { CreateApiKeyRequestDto } from './dto/create-api-key.request.dto';

/** Personal API keys. Managed from a signed-in session only: a leaked key cannot mint or revoke keys. */
@ApiTags('auth')
@ApiBearerAuth('jwt')
@JwtOnly()
@Controller('api/auth/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create a personal API key; the full key is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiErrorResponses(400, 401, 403)
  async create(@CurrentUser() user: AuthPrincipal, @Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKeyResponseDto> {
    return CreatedApiKeyResponseDto.fromCreated(await this.apiKeys.create(user.userId, user.role, body.name, body.scopes));
  }

  @Get()
  @ApiOperation({ summary: 'Your active API keys (prefix, name, scopes, created, last used; never the key)' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  @ApiErrorResponses(401, 403)
  async list(@CurrentUser('userId') userId: string): Promise<ApiKeyListResponseDto> {
    return { items: (await this.apiKeys.list(userId)).map((k) => ApiKeyResponseDto.from(k)) };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke one of your API keys (effective immediately)' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrorResponses(400, 401, 403, 404)
  async revoke(@CurrentUser('userId') userId: string, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    await this.apiKeys.revoke(userId, id);
  }
}
