import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';

/**
 * Deepest JSON nesting a request body may have. Real payloads (backtest settings, bot settings) nest 3-4 levels;
 * thousands of levels overflow the stack of every recursive consumer (class-transformer, validators, loggers).
 */
export const MAX_JSON_DEPTH = 32;

/** Largest request body (after decompression). */
export const MAX_BODY_BYTES = '1mb';

/** An error body-parser passes on with its own status (400); the exception filter maps it by `type`. */
export class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';
  constructor(readonly maxDepth: number) {
    super(`JSON body is nested deeper than ${maxDepth} levels`);
  }
}

/**
 * True when the JSON text nests objects/arrays deeper than `max`. A single pass over the raw bytes, before any
 * parsing, so a hostile body costs O(length) and never recursion. Brackets inside strings are skipped.
 */
export function jsonDepthExceeds(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
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

/**
 * The JSON and urlencoded parsers of every HTTP app, registered before Nest's defaults (which then stay off):
 * bounded size after decompression, and the nesting depth checked on the raw bytes before JSON.parse runs.
 * gzip/deflate/br bodies are accepted; a body that does not decompress is a 400 (see AllExceptionsFilter).
 */
export function installBodyParsers(app: NestExpressApplication): void {
  const verify = (_req: IncomingMessage, _res: unknown, buf: Buffer): void => {
    if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) throw new BodyTooDeepError(MAX_JSON_DEPTH);
  };
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, verify });
  app.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES, extended: true, depth: 8, parameterLimit: 1000 });
}
