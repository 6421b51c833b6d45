import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { USER_ROLES, type UserRole } from '../user-role';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../users.service';

export class CreateUserRequestDto {
  @ApiProperty({ example: 'trader@example.com', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, format: 'password', writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'trader' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}
