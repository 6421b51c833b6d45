import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { BotsService } from '@tb/bots';
import { AppConfig } from '@tb/config';
import { StreamConsumer, type DomainEvent } from '@tb/events';
import { createRedis } from '@tb/redis';

/** The events-stream consumer group of the bot runtime's reactions to account events (one delivery per group). */
export const BOT_OWNERS_GROUP = 'bots-owners';

/**
 * Stops the bots of a user an admin disabled or deleted (`user.disabled`, written with the change itself): the
 * users lib knows nothing of bots. At-least-once: a worker killed half-way leaves the event pending, the group's
 * next reader re-claims it, and stopping is idempotent. Every worker reads the group; each event goes to one.
 */
@Injectable()
export class BotOwnersConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: StreamConsumer;
  private conn?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly bots: BotsService,
  ) {}

  onApplicationBootstrap(): void {
    this.conn = createRedis(this.config.redis, 'streams');
    this.consumer = new StreamConsumer({
      redis: this.conn,
      prefix: this.config.redis.keyPrefix,
      group: BOT_OWNERS_GROUP,
      consumer: `${hostname()}-${process.pid}`,
      claimIdleMs: 10_000,
      blockMs: 1_000,
      handle: (e) => this.handle(e),
    });
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    this.conn?.disconnect();
  }

  private async handle(e: DomainEvent): Promise<void> {
    if (e.type !== 'user.disabled' || !e.userId) return;
    await this.bots.stopAllOfUser(e.userId, 'stopped: the owner account was disabled');
  }
}
