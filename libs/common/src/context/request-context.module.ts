import { Module } from '@nestjs/common';
import { CLS_ID, ClsModule, ClsServiceManager } from 'nestjs-cls';
import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id';

/**
 * Request/job context (nestjs-cls over AsyncLocalStorage). Every HTTP request runs in a context whose id is
 * the request id; worker jobs open a context with the id of the request that enqueued them.
 */
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        // no proxy providers in this code base: resolving them on every request cost a require() lookup each time
        resolveProxyProviders: false,
        // the id Fastify gave the request (see createHttpAdapter); the response header is set by a hook
        idGenerator: (req: IncomingMessage) => requestIdOf(req as never),
      },
    }),
  ],
})
export class RequestContextModule {}

/**
 * nestjs-cls registers a global interceptor and a global guard that pass everything through when, as here, its
 * middleware sets the context up. On every request the interceptor alone made Nest build an rxjs pipeline and two
 * AsyncResource.bind wrappers (~50 µs of CPU per request); with no global interceptor Nest calls the handler
 * directly. Called by configureHttpApp before the routes are built; returns how many it removed.
 */
export function dropPassThroughEnhancers(config: {
  getGlobalInterceptors(): unknown[];
  getGlobalGuards(): unknown[];
}): number {
  // nestjs-cls's pass-throughs are object literals ({ intercept }, { canActivate }); real enhancers are class instances
  const passThrough = (e: unknown, method: string): boolean =>
    typeof e === 'object' && e !== null && Object.getPrototypeOf(e) === Object.prototype && Object.keys(e).length === 1 && method in e;
  let removed = 0;
  for (const [list, method] of [
    [config.getGlobalInterceptors(), 'intercept'],
    [config.getGlobalGuards(), 'canActivate'],
  ] as const) {
    for (let i = list.length - 1; i >= 0; i--) {
      if (passThrough(list[i], method)) {
        list.splice(i, 1);
        removed++;
      }
    }
  }
  return removed;
}

/** The current request or job id, if any (safe to call anywhere, e.g. from a logger mixin). */
export function currentRequestId(): string | undefined {
  try {
    const cls = ClsServiceManager.getClsService();
    return cls.isActive() ? cls.getId() : undefined;
  } catch {
    return undefined;
  }
}

/** Run `fn` in a fresh context carrying `requestId` (used by job processors). */
export function runWithRequestId<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  const cls = ClsServiceManager.getClsService();
  return cls.run(() => {
    cls.set(CLS_ID, requestId);
    return fn();
  });
}
