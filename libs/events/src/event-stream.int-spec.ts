import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DomainEvent } from './domain-event';
import { encodeEvent, StreamConsumer, streamKey } from './event-stream';

/**
 * StreamConsumer's order guarantees on real Redis. An exclusive consumer (the group's only reader, e.g. the holder of a
 * lease) handles the group's whole pending list — a dead consumer's entries, however recently delivered — before any
 * new entry, and a failed handler ends the poll so that nothing after the failed entry is handled before it.
 */
describe('StreamConsumer order', () => {
  let redis: Redis;
  const prefix = `${inject('redisPrefix')}:es${randomBytes(3).toString('hex')}`;
  let n = 0;
  const add = async (): Promise<string> => {
    const name = `e${++n}`;
    const e: DomainEvent = { eventId: randomUUID(), type: 'bot.started', userId: null, payload: { name }, createdAt: new Date().toISOString() };
    await redis.xadd(streamKey(prefix), '*', ...encodeEvent(e));
    return name;
  };

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("an exclusive consumer handles a dead consumer's pending entries first, in stream order; a plain one reads the new ones first", async () => {
    const group = 'g-dead';
    const seen: string[] = [];
    const plainSeen: string[] = [];
    const handle = (into: string[]) => async (e: DomainEvent) => void into.push(String(e.payload.name));
    const first = [await add(), await add(), await add()];
    await redis.xgroup('CREATE', streamKey(prefix), group, '0', 'MKSTREAM');
    await redis.xgroup('CREATE', streamKey(prefix), `${group}-plain`, '0');
    // the dead holders read e1..e3 and never acknowledged them (killed), a moment ago
    await redis.xreadgroup('GROUP', group, 'dead', 'COUNT', 10, 'STREAMS', streamKey(prefix), '>');
    await redis.xreadgroup('GROUP', `${group}-plain`, 'dead', 'COUNT', 10, 'STREAMS', streamKey(prefix), '>');
    const later = [await add(), await add()];

    const exclusive = new StreamConsumer({ redis, prefix, group, consumer: 'next', exclusive: true, handle: handle(seen) });
    expect(await exclusive.pollOnce(10)).toBe(5);
    expect(seen).toEqual([...first, ...later]);
    // the dead holder, emptied, is forgotten (one consumer per restart would pile up otherwise)
    const consumers = (await redis.xinfo('CONSUMERS', streamKey(prefix), group)) as Array<Array<string | number>>;
    expect(consumers.map((c) => c[1])).toEqual(['next']);

    // without the option, entries pending for less than claimIdleMs wait: the newer ones go first
    const plain = new StreamConsumer({ redis, prefix, group: `${group}-plain`, consumer: 'next', claimIdleMs: 30_000, handle: handle(plainSeen) });
    await plain.pollOnce(10);
    expect(plainSeen).toEqual(later);
  });

  it('a failed handler ends the poll; the next one starts from the failed entry, before newer ones', async () => {
    const group = 'g-fail';
    await redis.xgroup('CREATE', streamKey(prefix), group, '$', 'MKSTREAM');
    const [a, b, c] = [await add(), await add(), await add()];
    const seen: string[] = [];
    let failOnce = true;
    const consumer = new StreamConsumer({
      redis,
      prefix,
      group,
      consumer: 'only',
      exclusive: true,
      handle: async (e) => {
        const name = String(e.payload.name);
        if (name === b && failOnce) {
          failOnce = false;
          throw new Error('Telegram is down');
        }
        seen.push(name);
      },
    });
    await expect(consumer.pollOnce(10)).rejects.toThrow('Telegram is down');
    expect(seen).toEqual([a]);
    const d = await add();
    await consumer.pollOnce(10);
    expect(seen).toEqual([a, b, c, d]);
    // everything acknowledged
    const pending = (await redis.xpending(streamKey(prefix), group)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });
});
