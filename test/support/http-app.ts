import { DynamicModule } from '@nestjs/common';
import { configureHttpApp, createHttpApp, type HttpApp } from '@tb/common';
import { LOG_CAPTURE_MODULE, suiteLogs } from './log-capture';

/** Boot an app module exactly as main.ts does (Fastify, filters, pipes, Swagger), without signal handlers; logs are captured. */
export async function createHttpTestApp(module: DynamicModule, swagger = true): Promise<HttpApp> {
  // every app's log lines reach the suite-wide capture (checked for secrets by test/setup/int.setup.ts)
  const ownCapture = (module.imports ?? []).some((m) => typeof m === 'function' && LOG_CAPTURE_MODULE in m);
  const root: DynamicModule = ownCapture ? module : { module: class SuiteLogsRoot {}, imports: [suiteLogs.module(), module] };
  const app = await createHttpApp(root);
  configureHttpApp(app, { title: 'test', description: 'test', swagger, shutdownHooks: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
