import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, RedisKeys } from '@tb/redis';
import type { StrategyName } from './setting-fields';

/** What /trade has gathered so far. */
export interface TradeDraft {
  readonly accountId?: string;
  readonly accountLabel?: string;
  readonly paper?: boolean;
  readonly strategy?: StrategyName;
  readonly symbol?: string;
  readonly timeframe?: string;
  /** null = the strategy's defaults */
  readonly presetId?: string | null;
  readonly presetName?: string;
  readonly feed?: 'live' | 'replay';
}

export const TRADE_STEPS = ['account', 'strategy', 'symbol', 'timeframe', 'preset', 'feed', 'confirm'] as const;
export type TradeStep = (typeof TRADE_STEPS)[number];

/** A chat's flow in progress: the /trade keyboard, or a typed settings value being awaited. */
export type Conversation = { readonly flow: 'trade'; readonly step: TradeStep; readonly draft: TradeDraft } | { readonly flow: 'setting'; readonly botId: string; readonly idx: number };

/** A flow left alone this long is forgotten. */
export const CONVERSATION_TTL_S = 30 * 60;

/**
 * Conversation state per chat in Redis (`telegram:conv:<chat id>`, JSON, 30 min TTL): any worker that holds the poll
 * lease next continues the flow where the last one left it, restart or not.
 */
@Injectable()
export class ConversationStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private key(chatId: string): string {
    return this.keys.key('telegram', 'conv', chatId);
  }

  async get(chatId: string): Promise<Conversation | null> {
    const raw = await this.redis.get(this.key(chatId));
    return raw ? (JSON.parse(raw) as Conversation) : null;
  }

  async set(chatId: string, c: Conversation): Promise<void> {
    await this.redis.set(this.key(chatId), JSON.stringify(c), 'EX', CONVERSATION_TTL_S);
  }

  async clear(chatId: string): Promise<boolean> {
    return (await this.redis.del(this.key(chatId))) > 0;
  }
}
