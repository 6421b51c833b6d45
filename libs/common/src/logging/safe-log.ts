/**
 * The last line of defence before a log line is written: whatever a caller passes, no query parameter, no
 * PostgreSQL `detail` (it echoes the failing row, e.g. "Failing row contains (...)") and no stored-secret blob
 * (`v1:<keyId>:<iv>:<tag>:<ciphertext>`) reaches the output. Errors become plain summaries
 * ({type, message, code, sqlstate, table, constraint, column, stack, cause}).
 */

/** Keys dropped at any depth: TypeORM's QueryFailedError/pg's DatabaseError carry the values of the failed query. */
const DROPPED_KEYS = new Set(['parameters', 'detail', 'where', 'internalQuery', 'query', 'driverError', 'hint']);

/** A stored-secret blob (see SecretCipher): version, key id, then base64 iv, tag and ciphertext. */
export const CIPHERTEXT_PATTERN = /v1:[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/=_-]{8,}:[A-Za-z0-9+/=_-]{8,}:[A-Za-z0-9+/=_-]+/g;

/** A signal webhook's secret URL token (`tbwh_` + 43 base64url characters): it travels in the request path. */
export const WEBHOOK_TOKEN_PATTERN = /tbwh_[A-Za-z0-9_-]{8,}/g;

const MAX_DEPTH = 6;

/** PostgreSQL messages that quote the offending input value (a query parameter): the value is replaced. */
const PG_VALUE_IN_MESSAGE = /(invalid input syntax for type [\w ]+: |invalid input value for enum [\w.]+: |value )"(?:[^"]|"")*"/g;

/** A string safe to log: stored-secret blobs, webhook tokens and quoted query values replaced. */
export function scrubLogString(s: string): string {
  return scrubString(s);
}

function scrubString(s: string): string {
  let out = s.includes('v1:') ? s.replace(CIPHERTEXT_PATTERN, '[REDACTED]') : s;
  if (out.includes('tbwh_')) out = out.replace(WEBHOOK_TOKEN_PATTERN, 'tbwh_[REDACTED]');
  if (out.includes('invalid input') || out.includes('out of range')) out = out.replace(PG_VALUE_IN_MESSAGE, '$1"[value]"');
  return out;
}

function isErrorLike(v: object): v is Error {
  return v instanceof Error || (typeof (v as { message?: unknown }).message === 'string' && typeof (v as { stack?: unknown }).stack === 'string');
}

function summariseError(e: Error, depth: number): Record<string, unknown> {
  const driver = (e as { driverError?: Record<string, unknown> }).driverError;
  const src = (driver ?? e) as Record<string, unknown>;
  // null prototype: pino's err serializer then takes the type from `name` instead of "Object"
  const out = Object.create(null) as Record<string, unknown>;
  out.type = e.constructor?.name ?? e.name;
  out.name = out.type;
  out.message = scrubString(String(e.message));
  const code = (e as { code?: unknown }).code ?? src.code;
  if (code !== undefined) out.code = code;
  for (const k of ['table', 'constraint', 'column', 'schema', 'routine', 'status'] as const) {
    if (src[k] !== undefined) out[k] = src[k];
  }
  if (typeof e.stack === 'string') out.stack = scrubString(e.stack);
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = sanitizeLogValue(cause, depth + 1);
  return out;
}

/** A copy of `value` safe to log (see the module comment). Plain values pass through untouched. */
export function sanitizeLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[depth]';
  if (isErrorLike(value)) return summariseError(value, depth);
  if (Array.isArray(value)) return value.map((v) => sanitizeLogValue(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // class instances (req/res, dates, buffers): their serializers decide
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED_KEYS.has(k)) continue;
    out[k] = sanitizeLogValue(v, depth + 1);
  }
  return out;
}

/** pino `formatters.log`: runs on every log object before serializers and redaction. */
export function sanitizeLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  return sanitizeLogValue(obj) as Record<string, unknown>;
}
