import { Logger } from '@nestjs/common';
import type { ChatQueues, QueuedNotification } from './chat-queues';
import type { DeliveryOutcome } from './notification-dispatcher.service';
import { pause } from './send-pacer';

export interface ChatSenderOptions {
  /** how often the set of chats with work is re-read (chats queued by another process, or left by a dead one) */
  readonly scanMs: number;
  /** chats drained at once by this process (the pacer spaces their sends) */
  readonly maxChats: number;
  /** pause after an unexpected failure before the chat's head is tried again */
  readonly failurePauseMs: number;
}

export const DEFAULT_CHAT_SENDER_OPTIONS: ChatSenderOptions = { scanMs: 1_000, maxChats: 200, failurePauseMs: 2_000 };

type Deliver = (chatId: string, item: QueuedNotification, signal: AbortSignal) => Promise<DeliveryOutcome>;

/**
 * Drains the per-chat queues: one loop per chat with work, head of line per chat (the head is removed only once
 * delivered, skipped or rejected, so a retried message is never overtaken by a later one), chats independent of each
 * other (a chat waiting out a 429 or a 5xx backoff delays no other chat).
 */
export class ChatSender {
  private readonly logger = new Logger(ChatSender.name);
  private readonly draining = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queues: ChatQueues,
    private readonly deliver: Deliver,
    private readonly opts: ChatSenderOptions = DEFAULT_CHAT_SENDER_OPTIONS,
  ) {}

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.opts.scanMs);
  }

  /** Starts draining a chat now (its queue just grew). */
  wake(chatId: string): void {
    if (this.abort.signal.aborted || this.draining.has(chatId) || this.draining.size >= this.opts.maxChats) return;
    const p = this.drain(chatId).finally(() => this.draining.delete(chatId));
    this.draining.set(chatId, p);
  }

  /** Lets every message in flight finish (and be recorded), then stops. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.draining.values()]);
  }

  private async scan(): Promise<void> {
    try {
      for (const chatId of await this.queues.chatsWithWork()) this.wake(chatId);
    } catch (e) {
      this.logger.warn({ msg: 'reading the chats with queued notifications failed', error: (e as Error).message });
    }
  }

  private async drain(chatId: string): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const head = await this.queues.head(chatId);
        if (!head) {
          if (await this.queues.retireIfEmpty(chatId)) return;
          continue;
        }
        const outcome = await this.deliver(chatId, head.item, signal);
        if (outcome === 'stopped') return;
        if (outcome === 'blocked') return await this.queues.drop(chatId);
        await this.queues.pop(chatId, head);
      } catch (e) {
        this.logger.warn({ msg: 'delivering a queued notification failed; the chat retries its head', chatId, error: (e as Error).message });
        await pause(this.opts.failurePauseMs, signal);
      }
    }
  }
}
