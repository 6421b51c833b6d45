import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { DEFAULT_RETRY_AFTER_S, ERROR_HTTP_STATUS, RETRY_AFTER_CODES } from '../errors/error-status';
import { REQUEST_ID_HEADER, requestIdOf } from '../context/request-id';

interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
  /** seconds, sent as the Retry-After header */
  retryAfterS?: number;
}

/**
 * An error of a lib that sits above common and cannot extend DomainError (the exchange adapters' ExchangeError):
 * an Error whose string `code` is one of ours. Its status comes from the same table.
 */
interface CodedError extends Error {
  code: ErrorCode;
  details?: unknown;
  retryAfterMs?: number | null;
}

function isCodedError(e: unknown): e is CodedError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && Object.hasOwn(ERROR_HTTP_STATUS, (e as unknown as { code: string }).code);
}

function retryAfterOf(e: { code: string; details?: unknown; retryAfterMs?: number | null }): number | undefined {
  if (!RETRY_AFTER_CODES.has(e.code)) return undefined;
  const fromDetails = (e.details as { retryAfterS?: unknown } | null | undefined)?.retryAfterS;
  if (typeof fromDetails === 'number' && Number.isFinite(fromDetails) && fromDetails > 0) return Math.ceil(fromDetails);
  if (typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) && e.retryAfterMs > 0) return Math.ceil(e.retryAfterMs / 1000);
  return DEFAULT_RETRY_AFTER_S;
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  503: ErrorCode.ServiceUnavailable,
};

/**
 * One global filter per HTTP app. Every error leaves as
 * {"error":{"request_id","code","message","details","path","timestamp"}}; unexpected errors become a 500 with no
 * internal message or stack (those are logged server-side with the request id).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    // outside HTTP (the worker's Telegram handlers run through Nest's external context): the caller answers it
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    this.respond(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Answer `exception` in the standard shape (also called for errors Fastify raises before routing: a malformed URL). */
  respond(exception: unknown, req: FastifyRequest, res: FastifyReply): void {
    const requestId = requestIdOf(req as never);
    const { status, body } = this.describe(exception, req);

    if (status >= 500) {
      this.logger.error({ err: exception, request_id: requestId, path: req.originalUrl }, 'request failed');
    }
    if (res.sent || res.raw.headersSent) return;
    void res.header(REQUEST_ID_HEADER, requestId);
    if (body.retryAfterS !== undefined && !res.getHeader('Retry-After')) void res.header('Retry-After', String(body.retryAfterS));
    void res.status(status).send({
      error: {
        request_id: requestId,
        code: body.code,
        message: body.message,
        details: body.details ?? null,
        path: req.originalUrl ?? req.url,
        timestamp: new Date().toISOString(),
      },
    });
  }

  private describe(exception: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError || isCodedError(exception)) {
      return {
        status: ERROR_HTTP_STATUS[exception.code] ?? 500,
        body: { code: exception.code, message: exception.message, details: exception.details ?? null, retryAfterS: retryAfterOf(exception) },
      };
    }
    if (exception instanceof NotFoundException && this.isUnknownRoute(exception)) {
      return {
        status: 404,
        body: { code: ErrorCode.RouteNotFound, message: `Cannot ${req.method} ${req.originalUrl ?? req.url}`, details: null },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && (response as { status?: unknown }).status === 'error' && 'details' in response) {
        // a failed health check (terminus): keep its per-component report as the details
        return { status, body: { code: ErrorCode.ServiceUnavailable, message: 'Health check failed', details: response } };
      }
      if (typeof response === 'object' && response !== null && 'code' in response) {
        const r = response as { code: string; message: string; details?: unknown };
        return { status, body: { code: r.code, message: r.message, details: r.details } };
      }
      const message =
        typeof response === 'string'
          ? response
          : ((response as { message?: string | string[] }).message ?? exception.message);
      return {
        status,
        body: {
          code: STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest),
          message: Array.isArray(message) ? message.join('; ') : message,
          details: null,
        },
      };
    }
    if (this.isBodyParserError(exception)) return { status: exception.status, body: this.describeBodyError(exception) };
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: ErrorCode.Internal, message: 'Internal server error', details: null },
    };
  }

  private isUnknownRoute(e: NotFoundException): boolean {
    return typeof e.message === 'string' && e.message.startsWith('Cannot ');
  }

  /**
   * The request body's errors (see installBodyParsers; a 4xx `status` and the body-parser `type`): malformed or too
   * deeply nested JSON, a body that does not decompress (gzip/deflate/br garbage, which carries no `type`), an
   * unsupported encoding. Fastify's own (unsupported Content-Type, too large) arrive as HttpExceptions.
   */
  private isBodyParserError(e: unknown): e is { status: number; type?: string; expose?: boolean } {
    if (typeof e !== 'object' || e === null) return false;
    const status = (e as { status?: unknown }).status;
    return typeof status === 'number' && status >= 400 && status < 500 && ('type' in e || (e as { expose?: unknown }).expose === true);
  }

  private describeBodyError(e: { status: number; type?: string; message?: string }): ErrorBody {
    switch (e.type) {
      case 'entity.parse.failed':
        return { code: ErrorCode.BadRequest, message: 'Malformed JSON body', details: null };
      case 'entity.too.deep':
        return { code: ErrorCode.BadRequest, message: e.message ?? 'JSON body nested too deeply', details: null };
      case 'entity.too.large':
        return { code: ErrorCode.PayloadTooLarge, message: 'Request body too large', details: null };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return { code: ErrorCode.UnsupportedMediaType, message: e.message ?? 'Unsupported body encoding', details: null };
      case undefined:
      default:
        if (e.status === 415) return { code: ErrorCode.UnsupportedMediaType, message: 'Unsupported body encoding', details: null };
        if (e.status === 413) return { code: ErrorCode.PayloadTooLarge, message: 'Request body too large', details: null };
        return { code: ErrorCode.BadRequest, message: 'Request body could not be read (bad Content-Encoding or an aborted upload)', details: null };
    }
  }
}
