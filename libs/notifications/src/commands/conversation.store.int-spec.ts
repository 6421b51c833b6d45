import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import type Redis from 'ioredis';
import { TbConfigModule } from '@tb/config';
import { REDIS, RedisKeys, RedisModule } from '@tb/redis';
import { CONVERSATION_TTL_S, ConversationStore } from './conversation.store';
import { testEnv } from '../../../../test/support/test-env';

/** Conversation state on the real Redis: kept per chat as JSON with its TTL, read back by a second store (another worker). */
describe('ConversationStore', () => {
  let moduleRef: TestingModule;
  let store: ConversationStore;
  let redis: Redis;
  let keys: RedisKeys;
  const chat = `${process.pid}${Date.now() % 1_000_000}`;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), RedisModule], providers: [ConversationStore] }).compile();
    store = moduleRef.get(ConversationStore);
    redis = moduleRef.get(REDIS);
    keys = moduleRef.get(RedisKeys);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('a flow set by one store is read by another (a restarted worker), expires after 30 min, and clears once', async () => {
    const draft = { accountId: '7f1c0a52-0000-4000-8000-000000000001', accountLabel: 'paper', paper: true, strategy: 'hyperrsi' as const, symbol: 'BTC/USDT:USDT' };
    await store.set(chat, { flow: 'trade', step: 'timeframe', draft });
    const other = new ConversationStore(redis, keys);
    expect(await other.get(chat)).toEqual({ flow: 'trade', step: 'timeframe', draft });
    const ttl = await redis.ttl(keys.key('telegram', 'conv', chat));
    expect(CONVERSATION_TTL_S).toBe(1800);
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    // a later step replaces the state and restarts the TTL
    await redis.expire(keys.key('telegram', 'conv', chat), 10);
    await other.set(chat, { flow: 'setting', botId: '7f1c0a52-0000-4000-8000-000000000002', idx: 6 });
    expect(await store.get(chat)).toEqual({ flow: 'setting', botId: '7f1c0a52-0000-4000-8000-000000000002', idx: 6 });
    expect(await redis.ttl(keys.key('telegram', 'conv', chat))).toBeGreaterThan(1790);
    expect(await store.clear(chat)).toBe(true);
    expect(await other.clear(chat)).toBe(false);
    expect(await store.get(chat)).toBeNull();
  });
});
