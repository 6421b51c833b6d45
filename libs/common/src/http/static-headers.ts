import type { IncomingMessage, ServerResponse } from 'node:http';

/** A connect-style middleware such as helmet's. */
export type ConnectMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Response headers, by lower-case name. */
export type StaticHeaders = Readonly<Record<string, string | number | string[]>>;

/**
 * The response headers `middleware` sets on every response, computed once: helmet runs a chain of twelve middlewares
 * per request to set what never changes. The middleware is run once against a recording response; it must only set
 * (or remove) headers and call next() at once. One that reads the request, writes anything else or calls next later
 * (a per-request nonce, a header that depends on the path) is refused at boot with a RangeError: its headers are not
 * static, and applying a recording of them to every response would be wrong.
 */
export function staticHeadersOf(middleware: ConnectMiddleware): StaticHeaders {
  const headers: Record<string, string | number | string[]> = {};
  let other: string | null = null;
  let nextCalls = 0;
  let nextError: unknown;
  const recorder = new Proxy({} as ServerResponse, {
    get(_t, prop) {
      if (prop === 'setHeader')
        return (name: string, value: string | number | readonly string[]) => {
          headers[name.toLowerCase()] = Array.isArray(value) ? [...(value as string[])] : (value as string | number);
          return recorder;
        };
      if (prop === 'removeHeader') return (name: string) => void delete headers[name.toLowerCase()];
      other ??= `response.${String(prop)}`;
      return undefined;
    },
    set(_t, prop) {
      other ??= `response.${String(prop)} =`;
      return true;
    },
  });
  const probe = new Proxy({ method: 'GET', url: '/', headers: {} } as unknown as IncomingMessage, {
    get(t, prop) {
      if (prop === 'method' || prop === 'url' || prop === 'headers') return (t as unknown as Record<string, unknown>)[prop as string];
      other ??= `request.${String(prop)}`;
      return undefined;
    },
  });
  try {
    middleware(probe, recorder, (err?: unknown) => {
      nextCalls++;
      nextError = err;
    });
  } catch (e) {
    other ??= `threw ${(e as Error).message}`;
  }
  if (other !== null || nextCalls !== 1 || nextError !== undefined || Object.keys(headers).length === 0) {
    throw new RangeError(`staticHeadersOf: the middleware does not only set fixed headers (${other ?? (nextCalls !== 1 ? `next() called ${nextCalls} times` : 'no header set or next(err)')})`);
  }
  return headers;
}
