import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';

/** Probes an orchestrator needs without credentials; they answer up/down per component and nothing more. */
const PUBLIC_HEALTH = new Set(['/health/live', '/health/ready']);

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The path of a request URL: no query string, no trailing slashes. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** True for the operators' endpoints: /metrics and /health with everything under it. */
export function isOpsPath(path: string): boolean {
  return path === '/metrics' || path === '/health' || path.startsWith('/metrics/') || path.startsWith('/health/');
}

/**
 * /metrics and the detailed health endpoints (/health, /health/db, /health/redis: latencies, pool sizes, error
 * messages) are for operators: they need `Authorization: Bearer <METRICS_TOKEN>`. Without a configured token they
 * do not exist (404). /health/live and /health/ready stay public. A Fastify hook, before any middleware.
 */
export function protectOpsEndpoints(fastify: FastifyInstance, metricsToken: string | undefined): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const path = pathOf(req.url);
    if (!isOpsPath(path) || PUBLIC_HEALTH.has(path)) return done();
    if (!metricsToken) return done(new NotFoundException(`Cannot ${req.method} ${req.url}`));
    if (tokenMatches(req.headers.authorization, metricsToken)) return done();
    void reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
    done(new UnauthorizedException('This endpoint needs Authorization: Bearer <METRICS_TOKEN>'));
  });
}
