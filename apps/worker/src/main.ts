import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '@tb/config';
import { configureHttpApp } from '@tb/common';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(), { bufferLogs: true });
  configureHttpApp(app, { title: 'TradingBoost worker', description: 'Health and metrics only', swagger: false });
  const config = app.get(AppConfig);
  await app.listen(config.app.workerPort, config.app.host);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
