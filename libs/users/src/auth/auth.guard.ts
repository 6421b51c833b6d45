import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { pathOf } from '@tb/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { ApiScope, UserRole } from '../users/user-role';
import type { AuthPrincipal, RequestWithPrincipal } from './auth-principal';
import { IS_PUBLIC_KEY, JWT_ONLY_KEY, ROLES_KEY, SCOPES_KEY } from './auth.decorators';
import { ForbiddenError, UnauthenticatedError } from './auth.errors';
import { AuthService } from './auth.service';

/**
 * Infrastructure paths that are always public, whatever their controllers say: the probes (/health, /health/*),
 * Prometheus (/metrics) and the API docs (/docs, /docs-json). They live in libs that do not depend on this one
 * (libs/health, the Prometheus module, Swagger), so the guard recognises them by path instead of by @Public().
 */
export const PUBLIC_PATH_PREFIXES = ['/health', '/metrics', '/docs'] as const;

/** `/health`, `/health/...`, `/metrics`, `/docs`, `/docs/...`, `/docs-json` (a trailing slash is ignored). */
export function isInfrastructurePath(path: string): boolean {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (p === '/docs-json') return true;
  return PUBLIC_PATH_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * The global guard (APP_GUARD, registered by UsersHttpModule): every HTTP route needs `Authorization: Bearer <access JWT>`
 * or `X-API-Key: tb_...`, except infrastructure paths and routes marked @Public(). It puts the AuthPrincipal on
 * `request.user`, then enforces @JwtOnly(), @Roles() and @Scopes(). Failures are DomainErrors: 401 UNAUTHORIZED,
 * 403 FORBIDDEN in the standard error shape.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Telegram updates, queue jobs: authenticated by their own means
    const req = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    if (isInfrastructurePath(pathOf(req.url))) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const principal = await this.authenticate(req);
    req.user = principal;

    if (this.reflector.getAllAndOverride<boolean>(JWT_ONLY_KEY, targets) && principal.via !== 'jwt') {
      throw new ForbiddenError('This route needs a signed-in session (Bearer access token); API keys cannot use it');
    }
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new ForbiddenError('Your role does not allow this', { required: roles });
    }
    const scopes = this.reflector.getAllAndOverride<ApiScope[] | undefined>(SCOPES_KEY, targets);
    const missing = scopes?.filter((s) => !principal.scopes.includes(s)) ?? [];
    if (missing.length > 0) {
      throw new ForbiddenError(`Missing scope(s): ${missing.join(', ')}`, { required: scopes, missing });
    }
    return true;
  }

  private authenticate(req: FastifyRequest): Promise<AuthPrincipal> {
    const authorization = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];
    if (authorization !== undefined && apiKey !== undefined) {
      throw new UnauthenticatedError('Send either Authorization or X-API-Key, not both');
    }
    if (authorization !== undefined) {
      const m = BEARER.exec(authorization.trim());
      if (!m) throw new UnauthenticatedError('Authorization must be "Bearer <access token>"');
      return this.auth.authenticateAccessToken(m[1]);
    }
    if (apiKey !== undefined) {
      if (typeof apiKey !== 'string') throw new UnauthenticatedError('Send one X-API-Key header');
      return this.apiKeys.authenticate(apiKey.trim());
    }
    throw new UnauthenticatedError('Authentication required: send Authorization: Bearer <access token> or X-API-Key: tb_...');
  }
}
