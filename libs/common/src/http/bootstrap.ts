import { HttpException, INestApplication, Logger, Type } from '@nestjs/common';
import { ApplicationConfig, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@tb/config';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { createValidationPipe } from './validation';
import { SafeInputPipe } from './safe-input.pipe';
import { installBodyParsers, MAX_BODY_BYTES } from './request-body';
import { pathOf, protectOpsEndpoints } from './ops-endpoints';
import { staticHeadersOf, type ConnectMiddleware, type StaticHeaders } from './static-headers';
import { ErrorResponseDto } from './error-response.dto';
import { REQUEST_ID_HEADER, requestIdOf } from '../context/request-id';
import { dropPassThroughEnhancers } from '../context/request-context.module';

/** Content-Security-Policy of every JSON response. */
export const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };

/** Swagger UI (/docs): its own scripts and styles only; "try it out" calls the same origin. */
export const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
};

export interface HttpAppOptions {
  readonly title: string;
  readonly description: string;
  /** Serve Swagger UI at /docs and the spec at /docs-json. */
  readonly swagger: boolean;
  /** Install the SIGTERM/SIGINT handlers (default true; tests that boot many apps in one process turn it off). */
  readonly shutdownHooks?: boolean;
}

/** Every HTTP app (the two APIs, the worker's health port) runs on Fastify. */
export type HttpApp = NestFastifyApplication;

/** Errors Fastify raises before a route is found (no Nest filter runs yet), with the message a client gets. */
const FRAMEWORK_ERRORS: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'Malformed URL: a path segment is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than 100 characters',
};
const preRoutingErrors = new AllExceptionsFilter();

/**
 * The HTTP server of every app: Fastify (on this 2-core machine a bare Nest app answered 4.5k req/s on Express and
 * 19.8k on Fastify). The request id (a client's safe X-Request-ID, else a UUID) is Fastify's own request id, so the
 * request context, the logs and the error bodies agree on it. A malformed URL goes through the same error handler as
 * everything else (the standard error shape).
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: 'loopback',
    genReqId: (req: IncomingMessage) => requestIdOf(req as never),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const message = FRAMEWORK_ERRORS[error.code] ?? 'Malformed request';
      preRoutingErrors.respond(new HttpException(message, status), req, reply);
    },
  });
}

/** A Nest HTTP app on Fastify (Nest's own body parsers stay off: installBodyParsers replaces them). */
export function createHttpApp(module: unknown): Promise<HttpApp> {
  return NestFactory.create<NestFastifyApplication>(module as Type<unknown>, createHttpAdapter(), { bufferLogs: true, bodyParser: false });
}

/**
 * The headers of every response, set by one Fastify hook: the request id, and helmet's headers — the same for every
 * response, so computed once at boot (see staticHeadersOf) — with the API's Content-Security-Policy, or Swagger UI's
 * under /docs. HTML reports set their own policy.
 */
function installResponseHeaders(fastify: FastifyInstance): void {
  const api: StaticHeaders = staticHeadersOf(helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } }) as unknown as ConnectMiddleware);
  const docs: StaticHeaders = {
    ...api,
    ...staticHeadersOf(helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP }) as unknown as ConnectMiddleware),
  };
  fastify.addHook('onRequest', (req, reply, done) => {
    const path = pathOf(req.url);
    void reply.headers(path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-') ? docs : api);
    void reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
}

/**
 * Everything an HTTP app (the two APIs and the worker's health port) sets up the same way: JSON logs,
 * helmet's headers, CORS, the request bodies, the global validation pipe and exception filter, Swagger, graceful
 * shutdown.
 */
export function configureHttpApp(app: HttpApp, options: HttpAppOptions): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(PinoLogger));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();
  installResponseHeaders(fastify);
  const origins = config.app.corsOrigins;
  if (origins.length > 0) {
    app.enableCors({
      origin: origins.includes('*') ? true : [...origins],
      exposedHeaders: [REQUEST_ID_HEADER],
      credentials: !origins.includes('*'),
    });
  }
  protectOpsEndpoints(fastify, config.app.metricsToken);
  installBodyParsers(fastify);
  app.useGlobalPipes(new SafeInputPipe(), createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // NestApplication keeps its ApplicationConfig private; the routes are built from it at init (listen), after this
  dropPassThroughEnhancers((app as unknown as { config: ApplicationConfig }).config);
  if (options.swagger) {
    const doc = new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'jwt')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build();
    const document = SwaggerModule.createDocument(app, doc, { extraModels: [ErrorResponseDto] });
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
  if (options.shutdownHooks !== false) enableGracefulShutdown(app, config.app.shutdownTimeoutMs);
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests and jobs finish (Nest lifecycle hooks close
 * the HTTP server, BullMQ workers and pools), then exit 0. If that takes longer than `timeoutMs`, exit 1.
 */
export function enableGracefulShutdown(app: INestApplication, timeoutMs: number): void {
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const logger = new Logger('Shutdown');
  const arm = (signal: string) => {
    logger.log(`${signal} received: draining (timeout ${timeoutMs} ms)`);
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
