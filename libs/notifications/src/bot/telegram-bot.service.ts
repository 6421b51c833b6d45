import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { Telegraf } from 'telegraf';
import { AppConfig } from '@tb/config';
import { REDIS, RedisKeys } from '@tb/redis';
import { BOT_COMMANDS, LinkCommands, type LinkedContext } from './link-commands';
import { RedisLease } from './poll-lock';
import { NotificationsConsumer } from '../notify/notifications-consumer.service';

const LEASE_TTL_MS = 15_000;
const RENEW_MS = 5_000;

/**
 * Runs the Telegram bot in the worker when TELEGRAM_BOT_TOKEN is set. Exactly one process polls a token: the one
 * holding the Redis lease (`telegram:poll:<bot id>`); the others retry every few seconds and take over when the
 * holder dies (its lease expires) or stops (it releases the lease).
 */
@Injectable()
export class TelegramBotService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TelegramBotService.name);
  private bot?: Telegraf<LinkedContext>;
  private lease?: RedisLease;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private closing = false;
  private botId = '';

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly linkCommands: LinkCommands,
    private readonly notifications: NotificationsConsumer,
  ) {}

  /** True while this process holds the lease and polls. */
  get isPolling(): boolean {
    return this.polling;
  }

  /** The telegraf instance (for sending); undefined when no token is configured. */
  get telegraf(): Telegraf<LinkedContext> | undefined {
    return this.bot;
  }

  onApplicationBootstrap(): void {
    const { botToken, apiRoot } = this.config.telegram;
    if (!botToken) return;
    this.bot = new Telegraf<LinkedContext>(botToken, { telegram: apiRoot ? { apiRoot } : {}, handlerTimeout: 30_000 });
    this.bot.catch((e) => this.logger.warn({ msg: 'telegram handler failed', error: (e as Error).message }));
    this.linkCommands.register(this.bot);
    this.botId = botToken.split(':')[0];
    this.lease = new RedisLease(this.redis, this.keys.key('telegram', 'poll', this.botId), randomUUID(), LEASE_TTL_MS);
    void this.tick();
    this.timer = setInterval(() => void this.tick(), RENEW_MS);
  }

  private async tick(): Promise<void> {
    if (!this.bot || !this.lease || this.closing) return;
    try {
      if (this.polling) {
        if (!(await this.lease.renew())) {
          this.logger.warn({ msg: 'telegram poll lease lost; stopping polling' });
          this.stopPolling();
        }
        return;
      }
      if (!(await this.lease.acquire())) return;
      this.polling = true;
      this.notifications.start(this.botId, this.bot.telegram);
      await this.bot.telegram.setMyCommands(BOT_COMMANDS.map((c) => ({ ...c })));
      // launch() resolves only when polling stops; failures end polling and release the lease
      this.bot.launch({ dropPendingUpdates: false }).catch((e: unknown) => {
        this.logger.warn({ msg: 'telegram polling ended', error: (e as Error).message });
        this.polling = false;
        void this.notifications.stop();
        void this.lease?.release();
      });
      this.logger.log({ msg: 'telegram polling started' });
    } catch (e) {
      this.logger.warn({ msg: 'telegram poll tick failed', error: (e as Error).message });
    }
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    void this.notifications.stop();
    try {
      this.bot?.stop('lease');
    } catch {
      // not running
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    const held = this.polling;
    this.stopPolling();
    await this.notifications.stop();
    if (held) await this.lease?.release().catch(() => undefined);
  }
}
