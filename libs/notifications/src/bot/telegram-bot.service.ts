import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { InjectBot } from 'nestjs-telegraf';
import type { Telegraf } from 'telegraf';
import { AppConfig } from '@tb/config';
import { REDIS, RedisKeys } from '@tb/redis';
import { BOT_COMMANDS } from './bot-commands';
import type { LinkedContext } from './telegram-context';
import { RedisLease } from './poll-lock';
import { NotificationsConsumer } from '../notify/notifications-consumer.service';

/**
 * Runs the Telegram bot in the worker when TELEGRAM_BOT_TOKEN is set. nestjs-telegraf builds the bot and registers
 * the @Update handlers (launchOptions: false: it never polls by itself); exactly one process polls a token: the one
 * holding the Redis lease (`telegram:poll:<bot id>`), which launches long polling and the notification consumer. The
 * others retry every few seconds and take over when the holder dies (its lease expires) or stops (it releases it).
 */
@Injectable()
export class TelegramBotService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TelegramBotService.name);
  private lease?: RedisLease;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private launched = false;
  private closing = false;
  private botId = '';

  constructor(
    @InjectBot() private readonly bot: Telegraf<LinkedContext>,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly notifications: NotificationsConsumer,
  ) {}

  /** True while this process holds the lease and polls. */
  get isPolling(): boolean {
    return this.polling;
  }

  /** The telegraf instance (for sending); undefined when no token is configured. */
  get telegraf(): Telegraf<LinkedContext> | undefined {
    return this.config.telegram.botToken ? this.bot : undefined;
  }

  onModuleInit(): void {
    // nestjs-telegraf stops the bot at shutdown, and telegraf throws "Bot is not running!" for a bot that never polled
    // (every worker but the lease holder): stop only what this process launched
    const stop = this.bot.stop.bind(this.bot);
    this.bot.stop = (reason?: string) => {
      if (this.launched) stop(reason);
    };
    this.bot.catch((e) => this.logger.warn({ msg: 'telegram update failed', error: (e as Error).message }));
  }

  onApplicationBootstrap(): void {
    const { botToken } = this.config.telegram;
    if (!botToken) return;
    this.botId = botToken.split(':')[0];
    const { pollLeaseMs } = this.config.telegram; // renewed (and tried by the others) every third of it
    this.lease = new RedisLease(this.redis, this.keys.key('telegram', 'poll', this.botId), randomUUID(), pollLeaseMs);
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.floor(pollLeaseMs / 3));
  }

  private async tick(): Promise<void> {
    if (!this.lease || this.closing) return;
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
      this.launched = true;
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
      this.bot.stop('lease');
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
