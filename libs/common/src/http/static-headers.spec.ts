import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { API_CSP } from './bootstrap';
import { precomputedHeaders } from './static-headers';

const appWith = (mw: RequestHandler) => {
  const app = express();
  app.disable('x-powered-by');
  app.use(mw);
  app.get('/x', (_req, res) => void res.json({ ok: true }));
  return app;
};

describe('precomputedHeaders', () => {
  it("sets exactly helmet's headers (the API's configuration), with one function", async () => {
    const h = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
    const fast = precomputedHeaders(h);
    expect(fast).not.toBe(h); // helmet's output is static: it was precomputed
    const [a, b] = await Promise.all([request(appWith(h)).get('/x'), request(appWith(fast)).get('/x')]);
    const strip = (hs: Record<string, string>) => Object.fromEntries(Object.entries(hs).filter(([k]) => !['date', 'etag', 'connection', 'keep-alive'].includes(k)));
    expect(strip(b.headers)).toEqual(strip(a.headers));
    // a few by value, written independently of helmet
    expect(b.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(b.headers['x-content-type-options']).toBe('nosniff');
    expect(b.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(b.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('keeps a middleware that reads the request or does more than set headers', () => {
    const byPath: RequestHandler = (req, res, next) => {
      if (req.path.startsWith('/a')) res.setHeader('x-a', '1');
      next();
    };
    const writes: RequestHandler = (_req, res, next) => {
      res.setHeader('x-b', '1');
      res.locals.n = 1;
      next();
    };
    const later: RequestHandler = (_req, res, next) => {
      res.setHeader('x-c', '1');
      setImmediate(next);
    };
    for (const mw of [byPath, writes, later]) expect(precomputedHeaders(mw)).toBe(mw);
  });
});
