import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChatQueues, type QueuedNotification } from './chat-queues';
import { ChatSender } from './chat-sender';
import type { DeliveryOutcome } from './notification-dispatcher.service';

/**
 * The per-chat queues on real Redis, with a scripted `deliver` in place of Telegram: head of line per chat (a head
 * that fails is retried before anything after it, however often), chats independent (one chat's failing head delays no
 * other chat), an (event, chat) appended once, a blocked chat's queue dropped, and a stopped sender leaving the head for
 * the next one.
 */
describe('ChatSender: per-chat order, chats independent', () => {
  let redis: Redis;
  let queues: ChatQueues;
  const prefix = `${inject('redisPrefix')}:cs${randomBytes(3).toString('hex')}`;
  const item = (eventId: string): QueuedNotification => ({ eventId, userId: 'u', text: eventId, silent: false });
  const opts = { scanMs: 50, maxChats: 10, failurePauseMs: 30 };
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  };

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    queues = new ChatQueues(redis, prefix, '4242');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("a failing head is retried before the chat's later messages; the other chat is not held up; an (event, chat) is queued once", async () => {
    for (const e of ['a1', 'a2', 'a3']) expect(await queues.enqueue('1', item(e))).toBe(true);
    for (const e of ['b1', 'b2', 'b3']) await queues.enqueue('2', item(e));
    expect(await queues.enqueue('1', item('a2'))).toBe(false); // the event redelivered
    expect(await queues.length('1')).toBe(3);

    const log: string[] = [];
    let a1Failures = 0;
    const sender = new ChatSender(
      queues,
      async (chatId, it): Promise<DeliveryOutcome> => {
        if (it.eventId === 'a1' && a1Failures < 3) {
          a1Failures++;
          // chat 1 stays stuck on its head until chat 2 is done
          if (a1Failures === 3) await until(() => log.includes('b3'));
          throw new Error('502 Bad Gateway, again');
        }
        log.push(it.eventId);
        return 'sent';
      },
      opts,
    );
    sender.start();
    await until(() => log.length === 6);
    await sender.stop();
    expect(a1Failures).toBe(3);
    expect(log.filter((e) => e.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(log.filter((e) => e.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    expect(log.indexOf('b3')).toBeLessThan(log.indexOf('a1')); // chat 2 finished while chat 1 retried its head
    // nothing left queued (a chat may stay in the set of chats with work until a sender finds it empty)
    expect([await queues.length('1'), await queues.length('2')]).toEqual([0, 0]);
  });

  it("skipped and rejected heads are removed; a blocked chat's queue is dropped; a stopped sender leaves the head to the next", async () => {
    for (const e of ['s1', 'r1', 'x1', 'x2']) await queues.enqueue('3', item(e));
    for (const e of ['k1', 'k2']) await queues.enqueue('4', item(e));
    for (const e of ['h1', 'h2']) await queues.enqueue('5', item(e));
    const log: string[] = [];
    const outcome: Record<string, DeliveryOutcome> = { s1: 'skipped', r1: 'rejected', x1: 'sent', x2: 'sent', k1: 'blocked', h1: 'stopped' };
    const first = new ChatSender(
      queues,
      async (_chat, it) => {
        log.push(it.eventId);
        return outcome[it.eventId] ?? 'sent';
      },
      opts,
    );
    first.start();
    await until(() => log.includes('x2') && log.includes('k1') && log.includes('h1'));
    await first.stop();
    expect(log.filter((e) => !e.startsWith('h'))).toEqual(expect.arrayContaining(['s1', 'r1', 'x1', 'x2', 'k1']));
    expect(log).not.toContain('k2'); // the blocked chat's rest was dropped
    expect(await queues.length('4')).toBe(0);
    expect(log).not.toContain('h2'); // the sender stopped on h1: it stays the head
    expect((await queues.head('5'))?.item.eventId).toBe('h1');

    const next: string[] = [];
    const second = new ChatSender(queues, async (_chat, it) => (next.push(it.eventId), 'sent'), opts);
    second.start();
    await until(() => next.length === 2);
    await second.stop();
    expect(next).toEqual(['h1', 'h2']);
  });
});
