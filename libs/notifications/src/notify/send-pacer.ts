import type Redis from 'ioredis';

/**
 * Takes a send slot, atomically over both keys. The chat's next free time (KEYS[1]) is only read: a chat that is not
 * free yet answers how long to wait, negative, and takes nothing (so it never holds a global slot it cannot use).
 * Otherwise the slot is the next global one (KEYS[2], spaced ARGV[3] ms) and the chat's next free time becomes that
 * slot + ARGV[2] ms: spacing is between real send times, however long the global wait was. Answers the wait, >= 0.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local chatNext = tonumber(redis.call('get', KEYS[1]) or '0')
if chatNext > now then return now - chatNext end
local slot = math.max(now, tonumber(redis.call('get', KEYS[2]) or '0'))
redis.call('set', KEYS[2], tostring(slot + tonumber(ARGV[3])), 'PX', 60000)
redis.call('set', KEYS[1], tostring(slot + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) + 60000)
return slot - now`;

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
 * message per second per chat, 30 per second in all. A caller waits until its chat is free, then takes the next global
 * slot and sleeps until it.
 */
export class SendPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perChatMs = 1000,
    private readonly globalMs = Math.ceil(1000 / 30),
    private readonly now: () => number = Date.now,
  ) {}

  private chatKey(chatId: string): string {
    return `${this.prefix}:telegram:pace:chat:${chatId}`;
  }

  /** Waits for this chat's turn (false when `signal` aborted the wait: no slot is then guaranteed). */
  async waitTurn(chatId: string, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const wait = Number(await this.redis.eval(TAKE, 2, this.chatKey(chatId), `${this.prefix}:telegram:pace:all`, String(this.now()), String(this.perChatMs), String(this.globalMs)));
      if (wait >= 0) {
        await pause(wait, signal);
        return !signal?.aborted;
      }
      await pause(-wait, signal);
    }
  }

  /** Pushes a chat's next slot out (Telegram's retry_after). */
  async holdChat(chatId: string, ms: number): Promise<void> {
    await this.redis.set(this.chatKey(chatId), String(this.now() + ms), 'PX', ms + 60_000);
  }
}
