/** Account roles (table users.role, checked by the database). */
export const USER_ROLES = ['admin', 'trader'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * Permission scopes. An API key carries a subset of its owner's role scopes; a JWT session has all the scopes of
 * its role. `read`: GET data; `trade`: anything that creates/changes orders or bots; `admin`: user management.
 */
export const API_SCOPES = ['read', 'trade', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const ROLE_SCOPES: Readonly<Record<UserRole, readonly ApiScope[]>> = {
  admin: ['read', 'trade', 'admin'],
  trader: ['read', 'trade'],
};

/** Scopes granted to `role` among `requested` (order of API_SCOPES, no duplicates). */
export function grantedScopes(role: UserRole, requested: readonly string[]): ApiScope[] {
  const allowed = ROLE_SCOPES[role];
  return API_SCOPES.filter((s) => allowed.includes(s) && requested.includes(s));
}
