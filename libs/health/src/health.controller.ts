import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { AppConfig } from '@tb/config';
import { DatabaseHealthIndicator } from '@tb/database';
import { RedisHealthIndicator } from '@tb/redis';
import { QueuesHealthIndicator } from '@tb/jobs';

/**
 * Probes. `live` does no I/O (the process answers); `ready` checks everything a request needs; the rest report
 * one component each. 200 when up, 503 with the failing component when not; every check is bounded by
 * HEALTH_TIMEOUT_MS so a dead dependency cannot hang a probe.
 */
/** A public probe's answer: each component's up/down, without latencies, pool figures or error messages. */
function statusOnly(r: HealthCheckResult): HealthCheckResult {
  const strip = (o: Partial<HealthIndicatorResult> | undefined): HealthIndicatorResult | undefined =>
    o && (Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { status: v?.status ?? 'down' }])) as HealthIndicatorResult);
  return { status: r.status, info: strip(r.info), error: strip(r.error), details: strip(r.details) ?? {} };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly timeout: number;

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueuesHealthIndicator,
    config: AppConfig,
  ) {
    this.timeout = config.app.healthTimeoutMs;
  }

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'All components' })
  all() {
    return this.health.check([
      () => this.db.check('database', this.timeout),
      () => this.redis.check('redis', this.timeout),
      () => this.queues.check('queues', this.timeout),
    ]);
  }

  @Get('db')
  @HealthCheck()
  @ApiOperation({ summary: 'PostgreSQL: SELECT 1 latency and pool metrics (size, in use, idle, waiting)' })
  database() {
    return this.health.check([() => this.db.check('database', this.timeout)]);
  }

  @Get('redis')
  @HealthCheck()
  @ApiOperation({ summary: 'Redis: PING latency in ms' })
  redisCheck() {
    return this.health.check([() => this.redis.check('redis', this.timeout)]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, Redis and queues (public: up/down per component, no figures)' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return statusOnly(
        await this.health.check([
          () => this.db.check('database', this.timeout),
          () => this.redis.check('redis', this.timeout),
          () => this.queues.check('queues', this.timeout),
        ]),
      );
    } catch (e) {
      if (e instanceof ServiceUnavailableException) throw new ServiceUnavailableException(statusOnly(e.getResponse() as HealthCheckResult));
      throw e;
    }
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no I/O)' })
  @ApiOkResponse({ description: 'Process alive' })
  @ApiServiceUnavailableResponse({ description: 'Never returned by this probe' })
  @HealthCheck()
  live(): HealthCheckResult {
    // what health.check() answers for one indicator that is up, built directly: this probe is polled often and
    // has nothing to wait for
    const up: HealthIndicatorResult = { process: { status: 'up', uptimeS: Math.round(process.uptime()), pid: process.pid } };
    return { status: 'ok', info: up, error: {}, details: up };
  }
}
