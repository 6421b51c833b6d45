import type { FastifyInstance } from 'fastify';
import { pipeline, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * Deepest JSON nesting a request body may have. Real payloads (backtest settings, bot settings) nest 3-4 levels;
 * thousands of levels overflow the stack of every recursive consumer (class-transformer, validators, loggers).
 */
export const MAX_JSON_DEPTH = 32;

/** Largest request body, in bytes: after decompression, and of the compressed bytes too. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request body the app refuses; the exception filter maps it by `type` (400 or 415, the standard shape). */
export class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class BodyTooDeepError extends BodyError {
  constructor(readonly maxDepth: number) {
    super(400, 'entity.too.deep', `JSON body is nested deeper than ${maxDepth} levels`);
  }
}

/**
 * True when the JSON text nests objects/arrays deeper than `max`. A single pass over the raw text, before any
 * parsing, so a hostile body costs O(length) and never recursion. Brackets inside strings are skipped.
 */
export function jsonDepthExceeds(raw: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

/** What Fastify reads instead of a compressed body: it checks `receivedEncodedLength` against Content-Length and the limit. */
type Decoded = Transform & { receivedEncodedLength: number };

/**
 * The request bodies of every HTTP app (Fastify): JSON only (another Content-Type is a 415), at most MAX_BODY_BYTES
 * before and after decompression (413), the nesting depth checked on the raw text before it is parsed; `__proto__`
 * and `constructor.prototype` keys are refused (Fastify's secure parser). gzip/deflate/br bodies are accepted; one
 * that does not decompress is a 400, another Content-Encoding a 415 (see AllExceptionsFilter). An empty JSON body
 * reads as `{}`.
 */
export function installBodyParsers(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return done(null, payload);
    const make = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
    if (!make) {
      return done(new BodyError(415, 'encoding.unsupported', `Unsupported Content-Encoding "${encoding.slice(0, 40)}": send identity, gzip, deflate or br`), payload);
    }
    const decoded = make() as Decoded;
    decoded.receivedEncodedLength = 0;
    // registered before Fastify's own listener: a body that does not decompress is the client's fault (400), not a 500
    decoded.on('error', (e: Error) => Object.assign(e, { status: 400, expose: true }));
    payload.on('data', (chunk: Buffer) => {
      decoded.receivedEncodedLength += chunk.length;
    });
    pipeline(payload, decoded, () => undefined); // an error reaches Fastify through `decoded`
    done(null, decoded);
  });
  fastify.removeAllContentTypeParsers();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  // no bodyLimit of its own: the app's (createHttpAdapter), applied before and after decompression
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, {});
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return done(new BodyTooDeepError(MAX_JSON_DEPTH), undefined);
    void parse(req, text, (err, value) => (err ? done(new BodyError(400, 'entity.parse.failed', 'Malformed JSON body'), undefined) : done(null, value)));
  });
}
