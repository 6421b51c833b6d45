import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/** Body of /refresh and /logout. */
export class RefreshTokenRequestDto {
  @ApiProperty({ description: 'The refresh token from /login or the last /refresh', example: 'q1yC0bT...43 chars' })
  @IsString()
  @MaxLength(128)
  refreshToken!: string;
}
