import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import type { Telegram } from 'telegraf';
import { AppConfig } from '@tb/config';
import { StreamConsumer } from '@tb/events';
import { createRedis } from '@tb/redis';
import { NotificationDispatcher } from './notification-dispatcher.service';
import { SendPacer } from './send-pacer';

/** The consumer group of a bot (its numeric id): each bot token delivers every event once. */
export const notifyGroup = (botId: string): string => `telegram-notify:${botId}`;

/**
 * The events-stream consumer group that sends notifications. Run only by the process holding the poll lease (one
 * sender: messages stay in order per chat); the next holder re-claims what a dead one left pending.
 */
@Injectable()
export class NotificationsConsumer {
  private consumer?: StreamConsumer;
  private conn?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  start(botId: string, telegram: Telegram): void {
    if (this.consumer) return;
    const redis = createRedis(this.config.redis, 'streams');
    const pacer = new SendPacer(redis, this.config.redis.keyPrefix);
    this.conn = redis;
    this.consumer = new StreamConsumer({
      redis,
      prefix: this.config.redis.keyPrefix,
      group: notifyGroup(botId),
      consumer: `${hostname()}-${process.pid}`,
      claimIdleMs: 5_000,
      blockMs: 500,
      handle: (e) => this.dispatcher.dispatch(e, telegram, pacer),
    });
    this.consumer.start();
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.stop();
    this.conn?.disconnect();
    this.conn = undefined;
  }
}
