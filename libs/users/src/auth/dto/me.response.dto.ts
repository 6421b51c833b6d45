import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_SCOPES, USER_ROLES, type ApiScope, type UserRole } from '../../users/user-role';
import type { UserRecord } from '../../users/users.repository';
import type { AuthPrincipal } from '../auth-principal';

export class MeResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
  @ApiProperty({ enum: API_SCOPES, isArray: true, description: 'Scopes of this request’s credential' }) scopes!: ApiScope[];
  @ApiProperty({ enum: ['jwt', 'api-key'], description: 'How this request authenticated' }) via!: 'jwt' | 'api-key';
  @ApiPropertyOptional({ format: 'uuid', description: 'The API key used, when via = api-key' }) apiKeyId?: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;

  static from(user: UserRecord, principal: AuthPrincipal): MeResponseDto {
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      scopes: [...principal.scopes],
      via: principal.via,
      ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
      createdAt: user.createdAt.toISOString(),
    };
  }
}
