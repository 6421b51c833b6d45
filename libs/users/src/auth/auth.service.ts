import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@tb/config';
import { PasswordHasher } from '../crypto/password-hasher';
import { generateRefreshToken, REFRESH_TOKEN_PATTERN, sha256Hex } from '../crypto/tokens';
import { UsersRepository, type UserRecord } from '../users/users.repository';
import { normalizeEmail, passwordProblem } from '../users/users.service';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { BadRequestError, NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import { EventOutboxRepository } from '@tb/events';
import { ROLE_SCOPES, type UserRole } from '../users/user-role';
import type { AuthPrincipal } from './auth-principal';
import { InvalidCredentialsError, InvalidRefreshTokenError, UnauthenticatedError } from './auth.errors';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { ActiveUsersCache } from './active-users.cache';
import { VerifiedTokensCache } from './verified-tokens.cache';
import { ApiKeyOwnersCache } from '../api-keys/api-key-owners.cache';

/** Claims of our access JWT (HS256, JWT_SECRET). */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly role: UserRole;
  readonly typ: 'access';
}

export const JWT_ISSUER = 'tradingboost';
export const JWT_AUDIENCE = 'tradingboost-api';

export interface IssuedTokens {
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
  readonly userId: string;
  readonly role: UserRole;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Login, refresh-token rotation, logout, and verification of access tokens.
 * - Access token: short-lived JWT { sub, role, typ: 'access' } (JWT_ACCESS_TTL_S). Every request checks the user
 *   (ActiveUsersCache: a row at most 1 s old; disabling here takes effect at once, in another process within 1 s),
 *   not only the token's expiry.
 * - Refresh token: 32 random bytes (base64url), stored as sha256; one use each (rotation), sliding expiry of
 *   JWT_REFRESH_TTL_S; replaying a used one revokes the whole login's family.
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger(AuthService.name);
  private dummyHash?: Promise<string>;
  /** Signatures already checked (see VerifiedTokensCache: expiry and the user are still checked every request). */
  private readonly verified = new VerifiedTokensCache<Partial<AccessTokenClaims>>();

  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly apiKeys: ApiKeysRepository,
    private readonly activeUsers: ActiveUsersCache,
    private readonly outbox: EventOutboxRepository,
    private readonly apiKeyOwners: ApiKeyOwnersCache,
  ) {}

  /**
   * The caller changes its password: the current one is required (401 INVALID_CREDENTIALS otherwise) and the new
   * one follows the one password rule (400). Every session (refresh token) of the user is revoked.
   */
  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
    const hash = await this.users.findPasswordHashById(userId);
    if (!hash || !(await this.hasher.verify(currentPassword, hash))) throw new InvalidCredentialsError();
    const problem = passwordProblem(newPassword);
    if (problem) throw new BadRequestError(problem, { field: 'newPassword' });
    await this.users.updatePasswordHash(userId, await this.hasher.hash(newPassword));
    const revoked = await this.refreshTokens.revokeAllOfUser(userId);
    this.logger.log({ msg: 'password changed', userId, sessionsRevoked: revoked });
  }

  /**
   * Admin: disable a user. Login is refused, access tokens stop working at once (every request checks the user),
   * sessions and API keys are revoked. The user's data stays. A `user.disabled` event, written in the same
   * transaction, has the worker stop the user's bots (their resting orders canceled; positions are left as they are).
   */
  @Transactional()
  async disableUser(actorId: string, userId: string): Promise<UserRecord> {
    if (actorId === userId) throw new BadRequestError('an admin cannot disable or delete their own account');
    const disabled = await this.users.disable(userId);
    this.activeUsers.forget(userId);
    if (!disabled) throw new NotFoundError('user', userId);
    await this.outbox.append('user.disabled', userId, { userId, by: actorId });
    const sessions = await this.refreshTokens.revokeAllOfUser(userId);
    const keys = await this.apiKeys.revokeAllOfUser(userId);
    this.apiKeyOwners.forget({ userId });
    this.logger.log({ msg: 'user disabled', userId, by: actorId, sessionsRevoked: sessions, apiKeysRevoked: keys });
    return (await this.users.findById(userId))!;
  }

  /**
   * Admin: delete a user = disable it (above) and scrub its email and password hash. The row stays, so its orders,
   * fills, positions and exchange accounts keep their owner for the audit trail; the email address is free again.
   */
  async deleteUser(actorId: string, userId: string): Promise<void> {
    await this.disableUser(actorId, userId);
    await this.users.scrub(userId);
    this.activeUsers.forget(userId);
    this.logger.log({ msg: 'user deleted', userId, by: actorId });
  }

  onModuleInit(): void {
    void this.getDummyHash(); // computed once at boot, so the first unknown-email login costs the same as the rest
  }

  /**
   * Email + password -> tokens. Unknown email, wrong password and disabled account give the same error, and an
   * unknown email still pays for one scrypt verification (against a fixed dummy hash) so timing does not tell
   * them apart.
   */
  async login(email: string, password: string): Promise<IssuedTokens> {
    const creds = await this.users.findCredentialsByEmail(normalizeEmail(email));
    const ok = await this.hasher.verify(password, creds?.passwordHash ?? (await this.getDummyHash()));
    if (!creds || !ok || creds.disabledAt) {
      this.logger.warn({ msg: 'login failed', userId: creds?.id, reason: !creds ? 'unknown_email' : !ok ? 'bad_password' : 'disabled' });
      throw new InvalidCredentialsError();
    }
    if (this.hasher.needsRehash(creds.passwordHash)) {
      await this.users.updatePasswordHash(creds.id, await this.hasher.hash(password));
    }
    const refreshToken = generateRefreshToken();
    const issued = await this.refreshTokens.issue(creds.id, null, sha256Hex(refreshToken), this.config.security.jwtRefreshTtlS);
    this.logger.log({ msg: 'login succeeded', userId: creds.id, familyId: issued.familyId });
    return this.tokens(creds.id, creds.role, refreshToken, issued.expiresAt);
  }

  /** Rotation: the presented refresh token is spent and a new pair is returned. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw new InvalidRefreshTokenError();
    const next = generateRefreshToken();
    const result = await this.refreshTokens.rotate(sha256Hex(refreshToken), sha256Hex(next), this.config.security.jwtRefreshTtlS);
    switch (result.kind) {
      case 'rotated':
        return this.tokens(result.userId, result.role, next, result.next.expiresAt);
      case 'reused':
        this.logger.warn({
          msg: 'refresh token reused: family revoked',
          userId: result.userId,
          familyId: result.familyId,
          revoked: result.revoked,
        });
        throw new InvalidRefreshTokenError();
      case 'invalid':
        throw new InvalidRefreshTokenError();
    }
  }

  /** Ends the session (refresh-token family) `refreshToken` belongs to, if it is the caller's. Idempotent. */
  async logout(userId: string, refreshToken: string): Promise<void> {
    const revoked = await this.refreshTokens.revokeFamilyOf(userId, sha256Hex(refreshToken));
    this.logger.log({ msg: 'logout', userId, revoked });
  }

  /** The caller's account. */
  async me(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user || user.disabledAt) throw new UnauthenticatedError();
    return user;
  }

  /** The principal behind `Authorization: Bearer <jwt>`, or UnauthenticatedError. */
  async authenticateAccessToken(token: string): Promise<AuthPrincipal> {
    let claims = this.verified.get(token);
    if (claims === 'expired') throw new UnauthenticatedError('Access token expired');
    if (!claims) {
      try {
        claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, {
          algorithms: ['HS256'],
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
        });
      } catch (err) {
        const expired = (err as { name?: string }).name === 'TokenExpiredError';
        throw new UnauthenticatedError(expired ? 'Access token expired' : 'Invalid access token');
      }
      this.verified.set(token, claims);
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
      throw new UnauthenticatedError('Invalid access token');
    }
    const user = await this.activeUsers.get(claims.sub);
    if (!user || user.disabledAt) throw new UnauthenticatedError('Invalid access token');
    return { userId: user.id, role: user.role, scopes: ROLE_SCOPES[user.role], via: 'jwt' };
  }

  private async tokens(userId: string, role: UserRole, refreshToken: string, refreshExpiresAt: Date): Promise<IssuedTokens> {
    const claims: AccessTokenClaims = { sub: userId, role, typ: 'access' };
    const expiresIn = this.config.security.jwtAccessTtlS;
    const accessToken = await this.jwt.signAsync(claims, { algorithm: 'HS256', expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
    return { accessToken, expiresIn, refreshToken, refreshExpiresAt, userId, role };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash('dummy password for timing equalisation');
    return this.dummyHash;
  }
}
