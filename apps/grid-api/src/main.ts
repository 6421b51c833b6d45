import 'reflect-metadata';
import { AppConfig } from '@tb/config';
import { configureHttpApp, createHttpApp } from '@tb/common';
import { GridApiModule } from './grid-api.module';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp(GridApiModule.forRoot());
  configureHttpApp(app, {
    title: 'TradingBoost GRID API',
    description: 'Grid strategy (adaptive and range grids): bots, orders, positions, backtests, accounts.',
    swagger: true,
  });
  const config = app.get(AppConfig);
  await app.listen(config.app.gridPort, config.app.host);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`grid-api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
