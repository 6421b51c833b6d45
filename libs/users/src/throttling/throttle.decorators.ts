import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { TbThrottlerGuard } from './tb-throttler.guard';

/** Which rate limit a route is under (one named throttler each; unmarked routes are not throttled). */
export const THROTTLE_KIND_KEY = 'tb:throttle:kind';
export type ThrottleKind = 'login' | 'orders' | 'webhook';

/**
 * Put on order-placing routes: at most THROTTLE_ORDERS_PER_MIN requests per user per minute (Redis-backed, shared
 * by every instance of the app). Runs after authentication, so the limit is per user id, not per IP.
 * Over the limit: 429 RATE_LIMITED with a Retry-After header.
 */
export const ThrottleOrders = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(THROTTLE_KIND_KEY, 'orders'), UseGuards(TbThrottlerGuard));

/** On the login route: at most THROTTLE_LOGIN_PER_MIN attempts per minute per (client IP, email). */
export const ThrottleLogin = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(THROTTLE_KIND_KEY, 'login'), UseGuards(TbThrottlerGuard));

/**
 * On a signal webhook's public route: at most THROTTLE_ORDERS_PER_MIN alerts per minute per webhook token (the
 * throttler hashes the tracker: no token in Redis keys). Over the limit: 429 RATE_LIMITED with a Retry-After header.
 */
export const ThrottleWebhook = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(THROTTLE_KIND_KEY, 'webhook'), UseGuards(TbThrottlerGuard));
