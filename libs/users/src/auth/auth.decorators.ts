import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiScope, UserRole } from '../users/user-role';
import type { AuthPrincipal, RequestWithPrincipal } from './auth-principal';
import { UnauthenticatedError } from './auth.errors';

export const IS_PUBLIC_KEY = 'tb:auth:public';
export const ROLES_KEY = 'tb:auth:roles';
export const SCOPES_KEY = 'tb:auth:scopes';
export const JWT_ONLY_KEY = 'tb:auth:jwt-only';

/** The route (or every route of the controller) needs no authentication. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** The caller's role must be one of `roles` (403 FORBIDDEN otherwise). */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/**
 * The caller must hold every one of `scopes` (403 FORBIDDEN otherwise). API keys hold the scopes chosen at
 * creation; JWT sessions hold all the scopes of their role. Routes without @Scopes need authentication only.
 */
export const Scopes = (...scopes: ApiScope[]): MethodDecorator & ClassDecorator => SetMetadata(SCOPES_KEY, scopes);

/** Only a signed-in session (JWT) may call this route, never an API key (e.g. creating API keys, logout). */
export const JwtOnly = (): MethodDecorator & ClassDecorator => SetMetadata(JWT_ONLY_KEY, true);

/** The authenticated caller (`AuthPrincipal`) or one of its fields: `@CurrentUser() user`, `@CurrentUser('userId') id`. */
export const CurrentUser = createParamDecorator((field: keyof AuthPrincipal | undefined, ctx: ExecutionContext) => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().user;
  if (!principal) throw new UnauthenticatedError(); // only on a @Public() route, which should not ask for a user
  return field ? principal[field] : principal;
});
