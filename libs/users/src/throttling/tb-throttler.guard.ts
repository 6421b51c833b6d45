import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { DomainError, ErrorCode } from '@tb/common';

/** Over a rate limit: 429 RATE_LIMITED; `details.retryAfterS` mirrors the Retry-After header. */
export class RateLimitedError extends DomainError {
  constructor(retryAfterS: number) {
    super(ErrorCode.RateLimited, `Too many requests; retry in ${retryAfterS} s`, { retryAfterS });
  }
}

/**
 * @nestjs/throttler's guard, applied per route by @ThrottleOrders() / the login route (never globally). The named
 * throttlers (see throttler.options.ts) each skip the routes not marked with their kind. A throttled request gets
 * a standard `Retry-After` header and a DomainError (the global filter renders it as 429 RATE_LIMITED).
 */
@Injectable()
export class TbThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterS = Math.max(1, detail.timeToBlockExpire);
    void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(retryAfterS));
    throw new RateLimitedError(retryAfterS);
  }
}
