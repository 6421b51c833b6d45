import type { ApiScope, UserRole } from '../users/user-role';

/** Who is calling: put on the request (`request.user`) by AuthGuard; read it with `@CurrentUser()`. */
export interface AuthPrincipal {
  readonly userId: string;
  readonly role: UserRole;
  /** JWT: every scope of the role. API key: the key's scopes (intersected with the owner's current role). */
  readonly scopes: readonly ApiScope[];
  readonly via: 'jwt' | 'api-key';
  /** Set when `via === 'api-key'`. */
  readonly apiKeyId?: string;
}

/** The request as seen by guards and param decorators once AuthGuard has run. */
export interface RequestWithPrincipal {
  user?: AuthPrincipal;
}
