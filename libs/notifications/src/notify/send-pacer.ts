import type Redis from 'ioredis';

/**
 * Takes a send slot, atomically over both keys. The chat's next free time (KEYS[1]) is only read: a chat that is not
 * free yet answers how long to wait, negative, and takes nothing (so it never holds a global slot it cannot use).
 * Otherwise the slot is the next global one (KEYS[2], spaced ARGV[3] ms) and the chat is busy until that slot +
 * ARGV[2] ms. Answers the wait, >= 0.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local chatNext = tonumber(redis.call('get', KEYS[1]) or '0')
if chatNext > now then return now - chatNext end
local slot = math.max(now, tonumber(redis.call('get', KEYS[2]) or '0'))
redis.call('set', KEYS[2], tostring(slot + tonumber(ARGV[3])), 'PX', 60000)
redis.call('set', KEYS[1], tostring(slot + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) + 60000)
return slot - now`;

/**
 * At the slot: the send goes now unless the last real send (KEYS[2]) was less than ARGV[3] ms ago (answers the wait).
 * Stamps the real time: the next global send is spaced from it, and the chat is busy until now + ARGV[2] ms. Slots
 * alone would let sends whose timers fired late (a busy event loop) go out together, above the rate.
 */
const DISPATCH = `
local now = tonumber(ARGV[1])
local wait = tonumber(redis.call('get', KEYS[2]) or '0') + tonumber(ARGV[3]) - now
if wait > 0 then return wait end
redis.call('set', KEYS[2], tostring(now), 'PX', 60000)
redis.call('set', KEYS[1], tostring(now + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) + 60000)
return 0`;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Telegram's limits as slots in Redis (shared by every process, so a restarted or second process keeps them): one
 * message per second per chat, 30 per second in all (we aim at 28.6). A caller waits until its chat is free, then takes the next global
 * slot and sleeps until it.
 */
export class SendPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perChatMs = 1000,
    // 35 ms: 28.6/s, a little under Telegram's 30/s so that jitter on the way never takes a second above it
    private readonly globalMs = 35,
    private readonly now: () => number = Date.now,
  ) {}

  private chatKey(chatId: string): string {
    return `${this.prefix}:telegram:pace:chat:${chatId}`;
  }

  private async run(script: string, chatKey: string, globalKey: string): Promise<number> {
    return Number(await this.redis.eval(script, 2, chatKey, globalKey, String(this.now()), String(this.perChatMs), String(this.globalMs)));
  }

  /** Waits for this chat's turn; the caller sends at once (false when `signal` aborted the wait: then it must not). */
  async waitTurn(chatId: string, signal?: AbortSignal): Promise<boolean> {
    const chatKey = this.chatKey(chatId);
    for (;;) {
      if (signal?.aborted) return false;
      const wait = await this.run(TAKE, chatKey, `${this.prefix}:telegram:pace:all`);
      if (wait < 0) {
        await pause(-wait, signal);
        continue;
      }
      await pause(wait, signal);
      for (;;) {
        if (signal?.aborted) return false;
        const late = await this.run(DISPATCH, chatKey, `${this.prefix}:telegram:pace:last`);
        if (late === 0) return true;
        await pause(late, signal);
      }
    }
  }

  /** Pushes a chat's next slot out (Telegram's retry_after). */
  async holdChat(chatId: string, ms: number): Promise<void> {
    await this.redis.set(this.chatKey(chatId), String(this.now() + ms), 'PX', ms + 60_000);
  }
}
