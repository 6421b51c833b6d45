import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../http/api-error-responses';
import { ThrottleLogin } from '../throttling/throttle.decorators';
import type { AuthPrincipal } from './auth-principal';
import { CurrentUser, JwtOnly, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginRequestDto } from './dto/login.request.dto';
import { MeResponseDto } from './dto/me.response.dto';
import { RefreshTokenRequestDto } from './dto/refresh-token.request.dto';
import { ChangePasswordRequestDto } from './dto/change-password.request.dto';
import { TokenPairResponseDto } from './dto/token-pair.response.dto';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @ThrottleLogin()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Email + password -> access token (JWT) + refresh token. Rate limited per IP and email.' })
  @ApiOkResponse({ type: TokenPairResponseDto })
  @ApiErrorResponses(400, 401, 429)
  async login(@Body() body: LoginRequestDto): Promise<TokenPairResponseDto> {
    return TokenPairResponseDto.from(await this.auth.login(body.email, body.password));
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (rotation)',
    description: 'Each refresh token works once. Presenting a used one again revokes every token of that login.',
  })
  @ApiOkResponse({ type: TokenPairResponseDto })
  @ApiErrorResponses(400, 401)
  async refresh(@Body() body: RefreshTokenRequestDto): Promise<TokenPairResponseDto> {
    return TokenPairResponseDto.from(await this.auth.refresh(body.refreshToken));
  }

  @Post('logout')
  @JwtOnly()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth('jwt')
  @ApiOperation({ summary: 'Revoke the session of this refresh token (the access token simply expires)' })
  @ApiNoContentResponse({ description: 'Logged out (also when the token was already revoked)' })
  @ApiErrorResponses(400, 401, 403)
  async logout(@CurrentUser('userId') userId: string, @Body() body: RefreshTokenRequestDto): Promise<void> {
    await this.auth.logout(userId, body.refreshToken);
  }

  @Post('password')
  @JwtOnly()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth('jwt')
  @ApiOperation({ summary: 'Change the caller\'s password (current password required); every session is revoked' })
  @ApiNoContentResponse({ description: 'Changed; log in again' })
  @ApiErrorResponses(400, 401, 403)
  async changePassword(@CurrentUser('userId') userId: string, @Body() body: ChangePasswordRequestDto): Promise<void> {
    await this.auth.changePassword(userId, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @ApiBearerAuth('jwt')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'The caller: account, role, and the scopes of the credential used' })
  @ApiOkResponse({ type: MeResponseDto })
  @ApiErrorResponses(401)
  async me(@CurrentUser() principal: AuthPrincipal): Promise<MeResponseDto> {
    return MeResponseDto.from(await this.auth.me(principal.userId), principal);
  }
}
