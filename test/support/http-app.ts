import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp } from '@tb/common';

/** Boot an app module exactly as main.ts does (filters, pipes, Swagger), without signal handlers. */
export async function createHttpTestApp(module: DynamicModule, swagger = true): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  configureHttpApp(app, { title: 'test', description: 'test', swagger, shutdownHooks: false });
  await app.init();
  return app;
}
