import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, RedisKeys } from '@tb/redis';
import { EventOutboxRepository } from './event-outbox.repository';
import { encodeEvent, streamKey } from './event-stream';
import type { EventType } from './domain-event';

/**
 * Moves committed outbox rows to the Redis stream (XADD, capped), then marks them published. A crash between
 * the two re-publishes on the next run: delivery is at-least-once and consumers dedupe by event id.
 */
@Injectable()
export class EventRelayService {
  private readonly logger = new Logger(EventRelayService.name);
  private busy = false;

  constructor(
    private readonly outbox: EventOutboxRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async flush(batch = 500): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    let total = 0;
    try {
      for (;;) {
        const rows = await this.outbox.unpublished(batch);
        if (rows.length === 0) return total;
        const pipeline = this.redis.pipeline();
        for (const r of rows) {
          pipeline.xadd(
            streamKey(this.keys.prefix),
            'MAXLEN',
            '~',
            '100000',
            '*',
            ...encodeEvent({ eventId: r.eventId, type: r.type as EventType, userId: r.userId, payload: r.payload, createdAt: r.createdAt.toISOString() }),
          );
        }
        const results = await pipeline.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0]!;
        await this.outbox.markPublished(rows.map((r) => r.id));
        total += rows.length;
        if (rows.length < batch) return total;
      }
    } catch (e) {
      this.logger.warn({ msg: 'event relay failed; will retry', error: (e as Error).message });
      return total;
    } finally {
      this.busy = false;
    }
  }
}
