import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { API_CSP } from './bootstrap';
import { staticHeadersOf, type ConnectMiddleware } from './static-headers';

describe('staticHeadersOf', () => {
  it("records exactly the headers helmet sets (the API's configuration)", () => {
    const headers = staticHeadersOf(helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } }) as unknown as ConnectMiddleware);
    // by value, written independently of helmet
    expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['x-powered-by']).toBeUndefined(); // helmet removes it
    expect(Object.keys(headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('refuses a middleware that reads the request or does more than set headers', () => {
    const byPath: ConnectMiddleware = (req, res, next) => {
      if ((req as unknown as { path: string }).path.startsWith('/a')) res.setHeader('x-a', '1');
      next();
    };
    const writes: ConnectMiddleware = (_req, res, next) => {
      res.setHeader('x-b', '1');
      res.statusCode = 201;
      next();
    };
    const later: ConnectMiddleware = (_req, res, next) => {
      res.setHeader('x-c', '1');
      setImmediate(next);
    };
    for (const mw of [byPath, writes, later]) expect(() => staticHeadersOf(mw)).toThrow(RangeError);
  });
});
