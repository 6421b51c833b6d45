import 'reflect-metadata';
import { AppConfig } from '@tb/config';
import { configureHttpApp, createHttpApp } from '@tb/common';
import { HyperrsiApiModule } from './hyperrsi-api.module';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp(HyperrsiApiModule.forRoot());
  configureHttpApp(app, {
    title: 'TradingBoost HYPERRSI API',
    description: 'RSI + multi-timeframe trend strategy: bots, orders, positions, backtests, accounts.',
    swagger: true,
  });
  const config = app.get(AppConfig);
  await app.listen(config.app.hyperrsiPort, config.app.host);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`hyperrsi-api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
