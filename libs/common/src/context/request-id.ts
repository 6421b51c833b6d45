import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-ID';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A client-supplied id is kept only when it is short and made of safe characters; otherwise a new UUID. */
export function sanitizeRequestId(candidate: unknown): string {
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  id?: unknown;
}

/**
 * The request id of an HTTP request, computed once and cached on the request object, so that every
 * middleware (request context, HTTP logger) agrees on the same value.
 */
export function requestIdOf(req: RequestLike): string {
  if (typeof req.id === 'string') return req.id;
  const id = sanitizeRequestId(req.headers['x-request-id']);
  req.id = id;
  return id;
}
