import { DynamicModule, Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { loadConfig, processEnv } from './load-config';

export interface TbConfigModuleOptions {
  /** Use exactly this environment (tests). Default: process.env plus an optional .env file. */
  readonly env?: Record<string, string | undefined>;
}

/** Logs the configuration's boot warnings (development secrets in use) once the app's logger is in place. */
class ConfigWarnings implements OnApplicationBootstrap {
  constructor(private readonly config: AppConfig) {}
  onApplicationBootstrap(): void {
    const logger = new Logger('Config');
    for (const w of this.config.warnings) logger.warn(`!!! INSECURE CONFIGURATION: ${w}`);
  }
}

/**
 * Validates the configuration once at boot and provides the typed `AppConfig` everywhere.
 * Built on @nestjs/config; `.env` is loaded by processEnv() like in every entry point. A bad value makes boot fail.
 */
@Global()
@Module({})
export class TbConfigModule {
  static async forRoot(options: TbConfigModuleOptions = {}): Promise<DynamicModule> {
    let config: AppConfig | undefined;
    if (options.env === undefined) processEnv(); // loads .env the one way every entry point does (process env wins)
    const nestConfig = await NestConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      ignoreEnvFile: true,
      ignoreEnvVars: options.env !== undefined,
      validate: (raw: Record<string, unknown>) => {
        config = loadConfig((options.env ?? raw) as Record<string, string | undefined>);
        return raw;
      },
    });
    // validate() ran synchronously above; when env is injected, make sure it was applied.
    config ??= loadConfig(options.env ?? {});
    return {
      module: TbConfigModule,
      imports: [nestConfig],
      providers: [{ provide: AppConfig, useValue: config }, { provide: ConfigWarnings, useFactory: (c: AppConfig) => new ConfigWarnings(c), inject: [AppConfig] }],
      exports: [AppConfig],
    };
  }
}
