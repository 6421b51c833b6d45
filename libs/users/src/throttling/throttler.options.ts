import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import type { AppConfig } from '@tb/config';
import type { RequestWithPrincipal } from '../auth/auth-principal';
import { THROTTLE_KIND_KEY, type ThrottleKind } from './throttle.decorators';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const reflector = new Reflector();
const MINUTE_MS = 60_000;

/** Skip every throttler but the one the route is marked with. */
const onlyFor =
  (kind: ThrottleKind) =>
  (context: ExecutionContext): boolean =>
    reflector.getAllAndOverride<ThrottleKind | undefined>(THROTTLE_KIND_KEY, [context.getHandler(), context.getClass()]) !== kind;

interface TrackedRequest extends RequestWithPrincipal {
  ip?: string;
  body?: unknown;
}

/** Login attempts are counted per (client IP, email): one attacker cannot lock every account, nor try one forever. */
export function loginTracker(req: TrackedRequest): string {
  const body = req.body as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return `${req.ip ?? 'unknown'}|${email}`;
}

/** Order routes are counted per authenticated user (the guard runs after AuthGuard). */
export function userTracker(req: TrackedRequest): string {
  return req.user ? `user:${req.user.userId}` : `ip:${req.ip ?? 'unknown'}`;
}

/** Webhook alerts are counted per webhook (its URL token), whoever sends them. */
export function webhookTracker(req: TrackedRequest & { params?: Record<string, string> }): string {
  return `hook:${req.params?.token ?? ''}`;
}

/**
 * @nest-lab/throttler-storage-redis on the app's shared Redis client, with every key under our namespace
 * (`<REDIS_KEY_PREFIX>:throttle:{<hash>:<name>}:hits|blocked`) so that deployments and test runs sharing a Redis
 * never count each other's requests. The throttler already hashes the tracker (no IP or email in Redis keys).
 */
export class NamespacedRedisThrottlerStorage extends ThrottlerStorageRedisService {
  constructor(
    redis: Redis,
    private readonly namespace: string,
  ) {
    super(redis);
  }

  override async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    const hitKey = `${this.namespace}:{${key}:${name}}:hits`;
    const blockKey = `${this.namespace}:{${key}:${name}}:blocked`;
    const res = (await this.redis.call('eval', this.scriptSrc, 2, hitKey, blockKey, name, ttl, limit, blockDuration)) as unknown;
    if (!Array.isArray(res) || res.length !== 4 || !res.every((v) => typeof v === 'number')) {
      throw new TypeError('unexpected reply from the throttler script');
    }
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = res as number[];
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }
}

export function buildThrottlerOptions(config: AppConfig, redis: Redis, namespace: string): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'login', ttl: MINUTE_MS, limit: config.security.throttleLoginPerMin, skipIf: onlyFor('login'), getTracker: loginTracker },
      { name: 'orders', ttl: MINUTE_MS, limit: config.security.throttleOrdersPerMin, skipIf: onlyFor('orders'), getTracker: userTracker },
      { name: 'webhook', ttl: MINUTE_MS, limit: config.security.throttleOrdersPerMin, skipIf: onlyFor('webhook'), getTracker: webhookTracker as never },
    ],
    storage: new NamespacedRedisThrottlerStorage(redis, namespace),
    setHeaders: true,
  };
}
