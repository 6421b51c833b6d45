import { DomainError, ErrorCode } from '@tb/common';

/** Wrong password, unknown email and disabled account all look the same from outside (no user enumeration). */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super(ErrorCode.InvalidCredentials, 'Invalid email or password');
  }
}

/** Missing, malformed, expired or revoked access token / API key. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super(ErrorCode.Unauthorized, message);
  }
}

/** Unknown, expired, revoked or reused refresh token: the client must log in again. */
export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super(ErrorCode.InvalidRefreshToken, 'Refresh token is invalid, expired or revoked; log in again');
  }
}

/** Authenticated, but the role, the scopes or the kind of credential do not allow this. */
export class ForbiddenError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.Forbidden, message, details);
  }
}
