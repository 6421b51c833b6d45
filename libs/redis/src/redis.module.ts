import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { AppConfig } from '@tb/config';
import { createRedis, redisKey } from './redis.factory';

export const REDIS = Symbol('REDIS');
export const REDIS_HEALTH = Symbol('REDIS_HEALTH');
export const InjectRedis = () => Inject(REDIS);

/** Builds namespaced keys with the configured prefix. */
@Injectable()
export class RedisKeys {
  constructor(private readonly config: AppConfig) {}
  key(domain: string, ...parts: Array<string | number>): string {
    return redisKey(this.config.redis.keyPrefix, domain, ...parts);
  }
  get prefix(): string {
    return this.config.redis.keyPrefix;
  }
}

/** `redis` health: PING latency in ms, bounded by the health timeout (a dead Redis cannot hang the probe). */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_HEALTH) private readonly client: Redis,
  ) {}

  async check(key: string, timeoutMs: number) {
    const indicator = this.health.check(key);
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        const client = this.client;
        const onReady = (): void => void ping();
        const t = setTimeout(() => {
          client.off('ready', onReady);
          reject(new Error(`no PONG within ${timeoutMs} ms (connection ${client.status})`));
        }, timeoutMs);
        const ping = (): Promise<void> =>
          client.ping().then(
            () => (clearTimeout(t), resolve()),
            (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
          );
        // no offline queue on this connection: while it is (re)connecting, wait for it (bounded by the timeout)
        if (client.status === 'ready') void ping();
        else client.once('ready', onReady);
      });
      return indicator.up({ latencyMs: Math.round((performance.now() - started) * 100) / 100 });
    } catch (err) {
      return indicator.down({ message: (err as Error).message, connection: String(this.client.status) });
    }
  }
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly app: Redis,
    @Inject(REDIS_HEALTH) private readonly health: Redis,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.app.quit(), this.health.quit()]);
    this.app.disconnect();
    this.health.disconnect();
  }
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    { provide: REDIS, inject: [AppConfig], useFactory: (c: AppConfig) => createRedis(c.redis, 'app') },
    { provide: REDIS_HEALTH, inject: [AppConfig], useFactory: (c: AppConfig) => createRedis(c.redis, 'health') },
    RedisKeys,
    RedisHealthIndicator,
    RedisLifecycle,
  ],
  exports: [REDIS, RedisKeys, RedisHealthIndicator],
})
export class RedisModule {}
