import { Global, Module, OnModuleInit, Logger } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '@tb/config';
import { buildDataSourceOptions } from './data-source-options';
import { configureTransactionRetry } from './transactional';
import { PoolMonitor } from './pool-monitor';
import { DatabaseHealthIndicator } from './database.health';

/**
 * PostgreSQL through TypeORM: entities registered by each lib with TypeOrmModule.forFeature (autoLoadEntities),
 * migrations run by `npm run migration:run` or at boot when DB_MIGRATE_ON_BOOT=true, and the transaction
 * machinery behind @Transactional().
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        autoLoadEntities: true,
        migrationsRun: config.database.migrateOnBoot,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    ClsModule.registerPlugins([
      new ClsPluginTransactional({
        imports: [TypeOrmModule],
        adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
      }),
    ]),
    TerminusModule,
  ],
  providers: [PoolMonitor, DatabaseHealthIndicator],
  exports: [PoolMonitor, DatabaseHealthIndicator],
})
export class DatabaseModule implements OnModuleInit {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    configureTransactionRetry({
      maxAttempts: this.config.database.txMaxAttempts,
      baseDelayMs: this.config.database.txRetryBaseMs,
    });
    if (this.config.database.migrateOnBoot) this.logger.log('migrations applied at boot (DB_MIGRATE_ON_BOOT=true)');
  }
}
