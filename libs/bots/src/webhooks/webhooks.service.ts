import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import type { StrategyCommand } from '@tb/strategies';
import type { BotStrategyName } from '../bot.entity';
import { BotsService } from '../bots.service';
import { BotCommandsService, type QueuedCommand } from '../commands/bot-commands.service';
import type { BotWebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

/** A signal alert (TradingView and the like). */
export interface WebhookAlert {
  /** the alert's own id: the same id twice is one command */
  readonly id?: string;
  readonly action: 'entry' | 'exit';
  readonly side: 'long' | 'short';
  /** entry: base units (absent: the strategy's own entry size) */
  readonly size?: number;
}

export interface AlertOutcome {
  readonly alertId: string;
  readonly commandId: string | null;
  /** true when this alert id was accepted before: nothing queued */
  readonly duplicate: boolean;
}

const TOKEN_PREFIX = 'tbwh_';
const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** What an alert asks of the bot: an entry is force_entry, an exit closes the side's whole position. */
export function alertCommand(a: WebhookAlert): StrategyCommand {
  return a.action === 'entry' ? { type: 'force_entry', side: a.side, ...(a.size !== undefined ? { size: a.size } : {}) } : { type: 'close_percent', percent: 100, side: a.side };
}

/**
 * Signal webhooks (docs/adr/0018-trader-commands.md; the original's `signal_bot` execution mode): a bot gets a secret
 * URL token (shown once, stored as its sha-256, revocable); each alert posted to it becomes a command for that bot.
 * An unknown or revoked token is 404; a replayed alert id is recorded once (unique per webhook), so it never becomes
 * a second order; the command and the alert record commit together or not at all.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly hooks: WebhooksRepository,
    private readonly bots: BotsService,
    private readonly commands: BotCommandsService,
  ) {}

  /** A new webhook for one of the user's bots; the token is in the answer only. */
  async create(userId: string, strategy: BotStrategyName, botId: string, label: string | null): Promise<{ webhook: BotWebhookEntity; token: string }> {
    await this.bots.get(userId, botId, strategy); // 404 for another user's bot or the other strategy's
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.hooks.insert({ id, userId, botId, tokenHash: hashToken(token), label });
    this.logger.log({ msg: 'webhook created', botId, webhookId: id });
    const webhook = (await this.hooks.listForBot(userId, botId)).find((w) => w.id === id)!;
    return { webhook, token };
  }

  async list(userId: string, strategy: BotStrategyName, botId: string): Promise<BotWebhookEntity[]> {
    await this.bots.get(userId, botId, strategy);
    return this.hooks.listForBot(userId, botId);
  }

  async revoke(userId: string, strategy: BotStrategyName, botId: string, webhookId: string): Promise<void> {
    await this.bots.get(userId, botId, strategy);
    if (!(await this.hooks.revoke(userId, botId, webhookId))) throw new NotFoundError('webhook', webhookId);
    this.logger.log({ msg: 'webhook revoked', botId, webhookId });
  }

  /** An alert posted to a webhook URL of this strategy's app; a live bot is woken after the commit. */
  async receive(strategy: BotStrategyName, token: string, alert: WebhookAlert): Promise<AlertOutcome> {
    const { outcome, queued } = await this.record(strategy, token, alert);
    if (queued) await this.commands.wake(queued);
    return outcome;
  }

  /** The alert record and the command, in one transaction. */
  @Transactional()
  private async record(strategy: BotStrategyName, token: string, alert: WebhookAlert): Promise<{ outcome: AlertOutcome; queued: QueuedCommand | null }> {
    const hook = token.startsWith(TOKEN_PREFIX) ? await this.hooks.findActiveByHash(hashToken(token)) : null;
    if (!hook) throw new NotFoundError('webhook', 'token');
    const alertId = alert.id ?? randomUUID();
    const commandId = `wh.${hook.id.slice(0, 8)}.${alertId}`;
    if (!(await this.hooks.insertAlert(hook.id, alertId, commandId))) return { outcome: { alertId, commandId: null, duplicate: true }, queued: null };
    // a bot of the other strategy is 404, as if the token were unknown; a refused command rolls the alert record back
    const queued = await this.commands.queue(hook.userId, hook.botId, alertCommand(alert), { id: commandId, source: 'webhook', strategy });
    return { outcome: { alertId, commandId, duplicate: false }, queued };
  }
}
