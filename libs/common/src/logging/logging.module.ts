import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import { AppConfig } from '@tb/config';
import { currentRequestId } from '../context/request-context.module';
import { requestIdOf } from '../context/request-id';
import { sanitizeLogObject, scrubLogString } from './safe-log';

/** Optional DI token: where log lines go (default stdout). Tests provide a stream to capture them. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** Paths removed from every log line. Secrets never reach the logs, whatever a caller passes. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.secret',
  '*.apiSecret',
  '*.apiKey',
  '*.api_key',
  '*.api_secret',
  '*.passphrase',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.privateKey',
  '*.encryptionKey',
  'password',
  'secret',
  'apiKey',
  'apiSecret',
  'passphrase',
  'token',
];

/**
 * JSON logs (pino). Every line carries `request_id` when it is written inside a request or a job context.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig, { token: LOG_DESTINATION, optional: true }],
      useFactory: (config: AppConfig, destination?: DestinationStream) => ({
        // the probes and /metrics write no access log line: they skip pino-http altogether (it built a child logger,
        // serializing the request, for every probe); a line they log still carries request_id (mixin below)
        exclude: ['health', 'health/*path', 'metrics'].map((path) => ({ path, method: RequestMethod.ALL })),
        pinoHttp: {
          level: config.log.level,
          genReqId: (req) => requestIdOf(req as never),
          redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
          formatters: { log: sanitizeLogObject },
          mixin: () => {
            const id = currentRequestId();
            return id ? { request_id: id } : {};
          },
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: scrubLogString(req.url ?? '') }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          // asynchronous (SonicBoom): a line per request no longer blocks the event loop on a write(2) to a pipe.
          // Lines leave in batches of 4 KiB, or at the latest 20 ms after they were written (a write(2) per access
          // line was ~4% of an authenticated GET's CPU); pino flushes what is buffered on exit
          stream: destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 20 }),
        },
      }),
    }),
  ],
})
export class LoggingModule {}
