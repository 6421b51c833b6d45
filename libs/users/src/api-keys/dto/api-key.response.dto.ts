import { ApiProperty } from '@nestjs/swagger';
import { API_SCOPES, type ApiScope } from '../../users/user-role';
import type { ApiKeyRecord } from '../api-keys.repository';
import type { CreatedApiKey } from '../api-keys.service';

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The 8 characters after `tb_`, to recognise the key', example: 'Xk3q9LmA' }) prefix!: string;
  @ApiProperty({ enum: API_SCOPES, isArray: true }) scopes!: ApiScope[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Precision: one minute' }) lastUsedAt!: string | null;

  static from(k: ApiKeyRecord): ApiKeyResponseDto {
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: [...k.scopes],
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt ? k.lastUsedAt.toISOString() : null,
    };
  }
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The full key, shown ONCE: store it now. Send it as `X-API-Key`.', example: 'tb_Xk3q9LmA...' })
  key!: string;

  static fromCreated(k: CreatedApiKey): CreatedApiKeyResponseDto {
    return { ...ApiKeyResponseDto.from(k), key: k.key };
  }
}

export class ApiKeyListResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items!: ApiKeyResponseDto[];
}
