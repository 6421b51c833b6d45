import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole } from '../../users/user-role';
import type { IssuedTokens } from '../auth.service';

export class TokenPairResponseDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer ...`' }) accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expiresIn!: number;
  @ApiProperty({ description: 'Opaque, single use: exchange it at /api/auth/refresh for a new pair' }) refreshToken!: string;
  @ApiProperty({ type: String, format: 'date-time' }) refreshExpiresAt!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;

  static from(t: IssuedTokens): TokenPairResponseDto {
    return {
      accessToken: t.accessToken,
      tokenType: 'Bearer',
      expiresIn: t.expiresIn,
      refreshToken: t.refreshToken,
      refreshExpiresAt: t.refreshExpiresAt.toISOString(),
      userId: t.userId,
      role: t.role,
    };
  }
}
