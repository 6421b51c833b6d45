import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';

/** Probes an orchestrator needs without credentials; they answer up/down per component and nothing more. */
const PUBLIC_HEALTH = new Set(['/live', '/ready']);

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * /metrics and the detailed health endpoints (/health, /health/db, /health/redis: latencies, pool sizes, error
 * messages) are for operators: they need `Authorization: Bearer <METRICS_TOKEN>`. Without a configured token they
 * do not exist (404). /health/live and /health/ready stay public.
 */
export function protectOpsEndpoints(app: NestExpressApplication, metricsToken: string | undefined): void {
  const guard = (req: Request, res: Response, next: NextFunction): void => {
    if (req.baseUrl === '/health' && PUBLIC_HEALTH.has(req.path.replace(/\/+$/, ''))) return next();
    if (!metricsToken) return next(new NotFoundException(`Cannot ${req.method} ${req.originalUrl}`));
    if (tokenMatches(req.headers.authorization, metricsToken)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    next(new UnauthorizedException('This endpoint needs Authorization: Bearer <METRICS_TOKEN>'));
  };
  app.use('/metrics', guard);
  app.use('/health', guard);
}
