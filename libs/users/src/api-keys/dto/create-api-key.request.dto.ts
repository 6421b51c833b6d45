import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { API_SCOPES, type ApiScope } from '../../users/user-role';

export class CreateApiKeyRequestDto {
  @ApiProperty({ example: 'tradingview webhook', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ enum: API_SCOPES, isArray: true, example: ['read', 'trade'], description: 'Within your role: traders may grant read and trade' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(API_SCOPES.length)
  @IsIn(API_SCOPES, { each: true })
  scopes!: ApiScope[];
}
