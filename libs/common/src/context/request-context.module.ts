import { Module } from '@nestjs/common';
import { CLS_ID, ClsModule, ClsServiceManager } from 'nestjs-cls';
import type { Request, Response } from 'express';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

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
        idGenerator: (req: Request) => requestIdOf(req as never),
        setup: (cls, req: Request, res: Response) => {
          res.setHeader(REQUEST_ID_HEADER, cls.getId());
        },
      },
    }),
  ],
})
export class RequestContextModule {}

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
