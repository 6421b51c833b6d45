import 'reflect-metadata';
import { AppConfig } from '@tb/config';
import { configureHttpApp, createHttpApp } from '@tb/common';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp(WorkerModule.forRoot());
  configureHttpApp(app, { title: 'TradingBoost worker', description: 'Health and metrics only', swagger: false });
  const config = app.get(AppConfig);
  await app.listen(config.app.workerPort, config.app.host);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
