import type Redis from 'ioredis';
import { Logger } from '@nestjs/common';
import type { DomainEvent, EventType } from './domain-event';

export function streamKey(prefix: string): string {
  return `${prefix}:events:stream`;
}

export function encodeEvent(e: DomainEvent): string[] {
  return ['event_id', e.eventId, 'type', e.type, 'user_id', e.userId ?? '', 'payload', JSON.stringify(e.payload), 'created_at', e.createdAt];
}

export function decodeEvent(fields: string[]): DomainEvent {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) m[fields[i]] = fields[i + 1];
  return {
    eventId: m.event_id,
    type: m.type as EventType,
    userId: m.user_id || null,
    payload: JSON.parse(m.payload ?? '{}') as Record<string, unknown>,
    createdAt: m.created_at,
  };
}

export interface StreamConsumerOptions {
  readonly redis: Redis; // a dedicated connection (blocking reads)
  readonly prefix: string;
  readonly group: string;
  readonly consumer: string;
  readonly handle: (event: DomainEvent) => Promise<void>;
  readonly blockMs?: number;
  readonly claimIdleMs?: number;
  /**
   * The group's only consumer (its owner holds a lease): strict stream order. Each poll first handles the group's
   * whole pending list (any consumer's, however recent: a dead holder's and its own failed batch) in id order, and
   * only then reads new entries; a handler failure ends the poll, so nothing after the failed entry is handled before
   * it. The group's other consumers (dead holders), emptied by this, are deleted once. Without it, pending entries are re-claimed once idle `claimIdleMs`, 50 a poll, so newer entries may be
   * handled before them.
   */
  readonly exclusive?: boolean;
}

/**
 * A consumer-group reader: at-least-once delivery; each event is handled at most once per group in practice
 * (a processed marker keyed by event id is checked before and set after handling), acknowledged after the
 * handler succeeds, and re-claimed from dead consumers after `claimIdleMs`.
 */
export class StreamConsumer {
  private readonly logger = new Logger(StreamConsumer.name);
  private running = false;
  private loop?: Promise<void>;
  private pruned = false;

  constructor(private readonly opts: StreamConsumerOptions) {}

  private get key() {
    return streamKey(this.opts.prefix);
  }

  private doneKey(eventId: string) {
    return `${this.opts.prefix}:events:done:${this.opts.group}:${eventId}`;
  }

  async ensureGroup(): Promise<void> {
    try {
      await this.opts.redis.xgroup('CREATE', this.key, this.opts.group, '0', 'MKSTREAM');
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Read and handle one batch (pending re-claims first). Returns how many events were handled. */
  async pollOnce(blockMs = this.opts.blockMs ?? 1000): Promise<number> {
    const { redis, group, consumer } = this.opts;
    let handled = 0;
    if (this.opts.exclusive) {
      // the whole pending list, in id order (every pending id is below every undelivered one)
      let cursor = '0-0';
      do {
        const [next, entries] = (await redis.xautoclaim(this.key, group, consumer, 0, cursor, 'COUNT', 100)) as [string, Array<[string, string[] | null]>];
        for (const [id, fields] of entries ?? []) if (fields) handled += await this.process(id, fields);
        cursor = next;
      } while (cursor !== '0-0');
      if (!this.pruned) await this.pruneOthers();
    } else {
      const claimed = (await redis.xautoclaim(this.key, group, consumer, this.opts.claimIdleMs ?? 30_000, '0', 'COUNT', 50)) as [string, Array<[string, string[]]>];
      for (const [id, fields] of claimed[1] ?? []) if (fields) handled += await this.process(id, fields);
    }
    const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      | Array<[string, Array<[string, string[]]>]>
      | null;
    for (const [, entries] of res ?? []) for (const [id, fields] of entries) handled += await this.process(id, fields);
    return handled;
  }

  /** Exclusive: once its pending list is ours, the group's other consumers (dead holders) are forgotten. */
  private async pruneOthers(): Promise<void> {
    const { redis, group, consumer } = this.opts;
    const rows = (await redis.xinfo('CONSUMERS', this.key, group)) as Array<Array<string | number>>;
    for (const row of rows) {
      const info: Record<string, string | number> = {};
      for (let i = 0; i + 1 < row.length; i += 2) info[String(row[i])] = row[i + 1];
      if (info.name !== consumer && Number(info.pending) === 0) await redis.xgroup('DELCONSUMER', this.key, group, String(info.name));
    }
    this.pruned = true;
  }

  private async process(id: string, fields: string[]): Promise<number> {
    const event = decodeEvent(fields);
    if (await this.opts.redis.exists(this.doneKey(event.eventId))) {
      await this.opts.redis.xack(this.key, this.opts.group, id);
      return 0;
    }
    await this.opts.handle(event); // throws -> stays pending, re-claimed later
    await this.opts.redis.set(this.doneKey(event.eventId), '1', 'EX', 7 * 86_400);
    await this.opts.redis.xack(this.key, this.opts.group, id);
    return 1;
  }

  private async run(): Promise<void> {
    await this.ensureGroup();
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (e) {
        this.logger.warn({ msg: 'event consumer error', group: this.opts.group, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
