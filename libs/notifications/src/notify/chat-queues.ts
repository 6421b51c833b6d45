import type Redis from 'ioredis';

/** One message waiting for one chat. */
export interface QueuedNotification {
  readonly eventId: string;
  readonly userId: string;
  readonly text: string;
  readonly silent: boolean;
}

/** The queue's entry as stored (the exact string identifies it when it is removed). */
export interface QueueHead {
  readonly raw: string;
  readonly item: QueuedNotification;
}

// KEYS: the (event, chat) marker, the chat's queue, the set of chats with work. Appends once per (event, chat).
const ENQUEUE = `
if redis.call('set', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[3])) then
  redis.call('rpush', KEYS[2], ARGV[1])
  redis.call('sadd', KEYS[3], ARGV[2])
  return 1
end
return 0`;

// Removes the head only if it is still the entry the caller handled.
const POP = `if redis.call('lindex', KEYS[1], 0) == ARGV[1] then redis.call('lpop', KEYS[1]) return 1 end return 0`;

// A chat leaves the set only while its queue is empty (an append re-adds it).
const RETIRE = `if redis.call('llen', KEYS[1]) == 0 then redis.call('srem', KEYS[2], ARGV[1]) return 1 end return 0`;

const MARKER_TTL_S = 7 * 86_400;

/**
 * Per-chat FIFO queues in Redis (`<prefix>:telegram:notify:<bot id>:…`): the events consumer appends each event's
 * message to every chat that gets it, in stream order, exactly once per (event, chat); the sender takes a chat's head,
 * sends it and removes it only afterwards. Order per chat therefore survives retries, restarts and redelivery; chats
 * never wait for each other.
 */
export class ChatQueues {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    botId: string,
  ) {
    this.base = `${prefix}:telegram:notify:${botId}`;
  }

  private queueKey(chatId: string): string {
    return `${this.base}:q:${chatId}`;
  }

  private get chatsKey(): string {
    return `${this.base}:chats`;
  }

  /** Appends unless this (event, chat) was appended before (a redelivered event). True when appended. */
  async enqueue(chatId: string, item: QueuedNotification): Promise<boolean> {
    const marker = `${this.base}:m:${item.eventId}:${chatId}`;
    const raw = JSON.stringify(item);
    return Number(await this.redis.eval(ENQUEUE, 3, marker, this.queueKey(chatId), this.chatsKey, raw, chatId, String(MARKER_TTL_S))) === 1;
  }

  async head(chatId: string): Promise<QueueHead | null> {
    const raw = await this.redis.lindex(this.queueKey(chatId), 0);
    return raw === null ? null : { raw, item: JSON.parse(raw) as QueuedNotification };
  }

  async pop(chatId: string, head: QueueHead): Promise<void> {
    await this.redis.eval(POP, 1, this.queueKey(chatId), head.raw);
  }

  /** True when the chat had nothing queued and left the set of chats with work. */
  async retireIfEmpty(chatId: string): Promise<boolean> {
    return Number(await this.redis.eval(RETIRE, 2, this.queueKey(chatId), this.chatsKey, chatId)) === 1;
  }

  /** Forgets everything queued for a chat (it blocked the bot or was unlinked). */
  async drop(chatId: string): Promise<void> {
    await this.redis.multi().del(this.queueKey(chatId)).srem(this.chatsKey, chatId).exec();
  }

  chatsWithWork(): Promise<string[]> {
    return this.redis.smembers(this.chatsKey);
  }

  length(chatId: string): Promise<number> {
    return this.redis.llen(this.queueKey(chatId));
  }
}
