import type { NextFunction, Request, RequestHandler, Response } from 'express';

type HeaderOp = readonly ['set', string, string | number | readonly string[]] | readonly ['remove', string];

/**
 * The same response headers as `middleware`, set by one function: helmet runs a chain of twelve middlewares per
 * request to set what never changes. The middleware is run once against a recording response; if it did anything
 * but set or remove headers and call next() at once (a per-request nonce, a header that depends on the request),
 * the original middleware is returned unchanged.
 */
export function precomputedHeaders(middleware: RequestHandler): RequestHandler {
  const ops: HeaderOp[] = [];
  let other = false;
  let nextCalls = 0;
  let nextError: unknown;
  const recorder = new Proxy({} as Response, {
    get(_t, prop) {
      if (prop === 'setHeader')
        return (name: string, value: string | number | readonly string[]) => {
          ops.push(['set', name, Array.isArray(value) ? [...(value as string[])] : (value as string | number)]);
          return recorder;
        };
      if (prop === 'removeHeader') return (name: string) => void ops.push(['remove', name]);
      other = true;
      return undefined;
    },
  });
  const probe = new Proxy({ method: 'GET', url: '/', headers: {} } as unknown as Request, {
    get(t, prop) {
      if (prop === 'method' || prop === 'url' || prop === 'headers') return (t as unknown as Record<string, unknown>)[prop as string];
      other = true;
      return undefined;
    },
  });
  try {
    middleware(probe, recorder, (err?: unknown) => {
      nextCalls++;
      nextError = err;
    });
  } catch {
    other = true;
  }
  if (other || nextCalls !== 1 || nextError !== undefined || ops.length === 0) return middleware;
  return (_req: Request, res: Response, next: NextFunction): void => {
    for (const op of ops) {
      if (op[0] === 'set') res.setHeader(op[1], op[2]);
      else res.removeHeader(op[1]);
    }
    next();
  };
}
