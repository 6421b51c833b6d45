import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type UserRole } from '../user-role';
import type { UserRecord } from '../users.repository';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'trader@example.com' }) email!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt!: string | null;

  static from(u: UserRecord): UserResponseDto {
    return {
      id: u.id,
      email: u.email,
      role: u.role,
      createdAt: u.createdAt.toISOString(),
      disabledAt: u.disabledAt ? u.disabledAt.toISOString() : null,
    };
  }
}

export class UserListResponseDto {
  @ApiProperty({ type: [UserResponseDto] }) items!: UserResponseDto[];
}
