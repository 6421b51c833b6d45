import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@tb/common';
import { JobsProducer } from '@tb/jobs';
import { COMMAND_ID, StrategyCommandError, parseCommandFor, type StrategyCommand, type StrategyCommandType } from '@tb/strategies';
import type { BotStrategyName } from '../bot.entity';
import type { CommandInputPayload } from '../bot-evaluator.service';
import { botStrategy } from '../bot-strategies';
import { BotsRepository } from '../bots.repository';
import { InvalidBotCommandError } from '../bots.errors';

export interface SubmitCommandOptions {
  /** a deterministic id (e.g. a webhook alert's); a second command with the same id is not queued again */
  readonly id?: string;
  /** who sent it: 'api' (default), 'webhook', 'telegram' */
  readonly source?: string;
  /** the API of one strategy: a bot of the other strategy is 404 */
  readonly strategy?: BotStrategyName;
}

export interface SubmittedCommand {
  readonly id: string;
  readonly botId: string;
  readonly command: StrategyCommand;
  /** false when a command with this id was queued before (nothing queued now) */
  readonly queued: boolean;
}

/** A command written to a bot's inbox, and whether the bot must be woken (live feed). */
export interface QueuedCommand {
  readonly command: SubmittedCommand;
  readonly live: boolean;
}

/**
 * Trader commands into a bot (docs/adr/0018-trader-commands.md): validated against the bot's strategy (400 for a
 * malformed command or one the strategy does not accept), then written to the bot's inbox. The bot applies it at its
 * next evaluation, in order with its candles, and journals it; nothing else reaches the strategy.
 * Used by the REST API (`POST .../bots/:id/commands`), signal webhooks and Telegram.
 */
@Injectable()
export class BotCommandsService {
  private readonly logger = new Logger(BotCommandsService.name);

  constructor(
    private readonly bots: BotsRepository,
    private readonly jobs: JobsProducer,
  ) {}

  /** The commands the strategy of this bot accepts. */
  acceptedBy(strategy: BotStrategyName): readonly StrategyCommandType[] {
    const s = botStrategy(strategy);
    return s.onCommand ? (s.commands ?? []) : [];
  }

  /** Validate and queue the command, then wake a live bot at once. */
  async submit(userId: string, botId: string, command: unknown, options: SubmitCommandOptions = {}): Promise<SubmittedCommand> {
    const queued = await this.queue(userId, botId, command, options);
    await this.wake(queued);
    return queued.command;
  }

  /**
   * Validate and write the command to the bot's inbox, on the ambient transaction if there is one (a webhook records
   * its alert in the same one); call `wake` after commit.
   */
  async queue(userId: string, botId: string, command: unknown, options: SubmitCommandOptions = {}): Promise<QueuedCommand> {
    const bot = await this.bots.findForUser(userId, botId);
    if (!bot || (options.strategy !== undefined && bot.strategy !== options.strategy)) throw new NotFoundError('bot', botId);
    let parsed: StrategyCommand;
    try {
      parsed = parseCommandFor(botStrategy(bot.strategy), command);
    } catch (e) {
      if (e instanceof StrategyCommandError) throw new InvalidBotCommandError(e);
      throw e;
    }
    if (bot.status !== 'running' && bot.status !== 'paused') {
      throw new ConflictError(`the bot is ${bot.status}: commands reach running or paused bots`, { status: bot.status });
    }
    const id = options.id ?? randomUUID();
    if (!COMMAND_ID.test(id)) throw new InvalidBotCommandError(new StrategyCommandError([{ field: 'id', message: 'must be 1-80 of A-Z a-z 0-9 _ . : -' }]));
    const payload: CommandInputPayload = { id, command: parsed, source: options.source ?? 'api' };
    const queued = await this.bots.addInput(botId, `command:${id}`, 'command', payload);
    if (queued) this.logger.log({ msg: 'command queued', botId, commandId: id, type: parsed.type, source: payload.source });
    return { command: { id, botId, command: parsed, queued }, live: bot.feed.kind === 'live' };
  }

  /** A live bot evaluates a queued command at once; a replay bot's driver picks it up at its next step. */
  async wake(q: QueuedCommand): Promise<void> {
    if (!q.command.queued || !q.live) return;
    const { botId, id } = q.command;
    await this.jobs.enqueue('bots.evaluate', { botId }, { jobId: `${botId}.command.${id.replace(/[^A-Za-z0-9_-]/g, '_')}` });
  }
}
