import Redis, { RedisOptions } from 'ioredis';
import type { AppConfig } from '@tb/config';

export type RedisPurpose = 'app' | 'health' | 'bullmq' | 'streams';

/**
 * The one ioredis factory. Purposes differ only in failure behaviour:
 * - app/streams: reconnect forever, commands queue while reconnecting (bounded by maxRetriesPerRequest);
 * - health: no offline queue, so a dead Redis answers at once instead of hanging the probe;
 * - bullmq: what BullMQ requires (maxRetriesPerRequest null).
 * Application keys are namespaced with `redisKey()` under REDIS_KEY_PREFIX (BullMQ uses its own `prefix`).
 */
export function createRedis(redis: AppConfig['redis'], purpose: RedisPurpose): Redis {
  const base: RedisOptions = {
    lazyConnect: false,
    connectionName: `tb-${purpose}`,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const byPurpose: Record<RedisPurpose, RedisOptions> = {
    app: { maxRetriesPerRequest: 2 },
    streams: { maxRetriesPerRequest: null },
    health: { enableOfflineQueue: false, maxRetriesPerRequest: 0 },
    bullmq: { maxRetriesPerRequest: null, enableReadyCheck: false },
  };
  const client = new Redis(redis.url, { ...base, ...byPurpose[purpose] });
  client.on('error', () => undefined); // reported through health checks; never crash the process
  return client;
}

/** `tb:{domain}:{id}:{attr}` under the configured prefix (tests use their own prefix). */
export function redisKey(prefix: string, domain: string, ...parts: Array<string | number>): string {
  return [prefix, domain, ...parts].join(':');
}
