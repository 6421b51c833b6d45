import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { TbConfigModule, TbConfigModuleOptions } from '@tb/config';
import { LoggingModule, RequestContextModule } from '@tb/common';
import { DatabaseModule } from '@tb/database';
import { RedisModule } from '@tb/redis';
import { JobsModule } from '@tb/jobs';
import { HealthModule } from '@tb/health';

/**
 * The infrastructure every app runs on, composed once: validated config, request context, JSON logs,
 * PostgreSQL + transactions, Redis, the queue contract, health probes and Prometheus /metrics.
 * Domain modules are imported by each app on top of it.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TbConfigModule.forRoot(options),
        RequestContextModule,
        LoggingModule,
        DatabaseModule,
        RedisModule,
        JobsModule,
        HealthModule,
        // default process metrics are process-global: register them once even when several apps share a process
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') } }),
      ],
    };
  }
}
