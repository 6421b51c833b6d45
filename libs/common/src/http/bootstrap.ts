import { INestApplication, Logger, Type } from '@nestjs/common';
import { ApplicationConfig, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@tb/config';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { createValidationPipe } from './validation';
import { SafeInputPipe } from './safe-input.pipe';
import { installBodyParsers } from './request-body';
import { protectOpsEndpoints } from './ops-endpoints';
import { precomputedHeaders } from './static-headers';
import { ErrorResponseDto } from './error-response.dto';
import { REQUEST_ID_HEADER } from '../context/request-id';
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

/**
 * Everything an HTTP app (the two APIs and the worker's health port) sets up the same way: JSON logs,
 * helmet, CORS, the global validation pipe and exception filter, Swagger, graceful shutdown.
 */
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions): void {
  const config = app.get(AppConfig);
  app.useLogger(app.get(PinoLogger));
  app.flushLogs();
  app.disable('x-powered-by');
  // no ETag: express hashed every JSON body (SHA-1) to offer 304s that API clients do not ask for
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  // JSON answers: nothing may load or frame them. Swagger UI gets the policy it needs; HTML reports set their own.
  // helmet's headers are the same for every response: computed once (see precomputedHeaders)
  app.use(precomputedHeaders(helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } })));
  app.use('/docs', helmet.contentSecurityPolicy({ useDefaults: false, directives: DOCS_CSP }));
  const origins = config.app.corsOrigins;
  if (origins.length > 0) {
    app.enableCors({
      origin: origins.includes('*') ? true : [...origins],
      exposedHeaders: [REQUEST_ID_HEADER],
      credentials: !origins.includes('*'),
    });
  }
  protectOpsEndpoints(app, config.app.metricsToken);
  installBodyParsers(app);
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

/** Create and start an HTTP app on `port`. */
export async function startHttpApp(
  module: Type<unknown>,
  port: number,
  options: HttpAppOptions,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  configureHttpApp(app, options);
  const config = app.get(AppConfig);
  await app.listen(port, config.app.host);
  return app;
}
