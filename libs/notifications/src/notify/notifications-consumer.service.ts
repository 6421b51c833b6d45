import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Telegram } from 'telegraf';
import { AppConfig } from '@tb/config';
import { StreamConsumer } from '@tb/events';
import { createRedis } from '@tb/redis';
import { ChatQueues } from './chat-queues';
import { ChatSender } from './chat-sender';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { SendPacer } from './send-pacer';

/** The consumer group of a bot (its numeric id): each bot token delivers every event once. */
export const notifyGroup = (botId: string): string => `telegram-notify:${botId}`;

/**
 * Notifications, run only by the process holding the poll lease: the consumer group on the events stream fans each
 * event out to per-chat queues in strict stream order (an exclusive consumer: a dead holder's pending events first),
 * and the chat sender drains the queues (head of line per chat, chats in parallel, paced).
 */
@Injectable()
export class NotificationsConsumer {
  private consumer?: StreamConsumer;
  private sender?: ChatSender;
  private conns: Redis[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  start(botId: string, telegram: Telegram): void {
    if (this.consumer) return;
    const prefix = this.config.redis.keyPrefix;
    const streams = createRedis(this.config.redis, 'streams'); // blocking reads: a connection of its own
    const commands = createRedis(this.config.redis, 'app');
    this.conns = [streams, commands];
    const pacer = new SendPacer(commands, prefix);
    const queues = new ChatQueues(commands, prefix, botId);
    const sender = new ChatSender(queues, (chatId, item, signal) => this.dispatcher.deliver(chatId, item, telegram, pacer, signal));
    this.sender = sender;
    this.consumer = new StreamConsumer({
      redis: streams,
      prefix,
      group: notifyGroup(botId),
      consumer: `${hostname()}-${process.pid}`,
      exclusive: true,
      blockMs: 500,
      handle: async (e) => {
        for (const chatId of await this.dispatcher.fanOut(e, queues)) sender.wake(chatId);
      },
    });
    sender.start();
    this.consumer.start();
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    const s = this.sender;
    this.consumer = undefined;
    this.sender = undefined;
    await Promise.all([c?.stop(), s?.stop()]);
    for (const r of this.conns.splice(0)) r.disconnect();
  }
}
