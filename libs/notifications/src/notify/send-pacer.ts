import type Redis from 'ioredis';

// Reserves the next free slot of a key spaced `interval` ms apart; returns how long to wait for it.
const RESERVE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nxt = tonumber(redis.call('get', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('set', KEYS[1], tostring(slot + interval), 'PX', 60000)
return slot - now`;

/**
 * Telegram's limits as slots in Redis (shared by every process): one message per second per chat, 30 per second in
 * all. A caller reserves its slots and sleeps until the later one.
 */
export class SendPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perChatMs = 1000,
    private readonly globalMs = Math.ceil(1000 / 30),
  ) {}

  async waitTurn(chatId: string): Promise<void> {
    const now = Date.now();
    const [chatWait, globalWait] = await Promise.all([
      this.redis.eval(RESERVE, 1, `${this.prefix}:telegram:pace:chat:${chatId}`, String(now), String(this.perChatMs)),
      this.redis.eval(RESERVE, 1, `${this.prefix}:telegram:pace:all`, String(now), String(this.globalMs)),
    ]);
    const wait = Math.max(Number(chatWait), Number(globalWait));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Pushes a chat's next slot out (Telegram's retry_after). */
  async holdChat(chatId: string, ms: number): Promise<void> {
    await this.redis.set(`${this.prefix}:telegram:pace:chat:${chatId}`, String(Date.now() + ms), 'PX', ms + 60_000);
  }
}
